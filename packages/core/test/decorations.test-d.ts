// Type-level tests of request decorations (issue 27, 6), checked by `npm run typecheck`: a
// slot is typed by declaration merging, without TS2717; an unnamed slot stays `unknown`.
import { describe, expectTypeOf, it } from 'vitest';
import { Application, type Request } from '../src/index.js';

interface Pool {
  query(sql: string): Promise<unknown[]>;
}

declare module '../src/index.js' {
  interface RequestDecorations {
    db: Pool;
  }
}

describe('RequestDecorations', () => {
  it('types a slot a project names, and leaves the others unknown', () => {
    const app = new Application('typed');
    app.addHook('preHandler', (req: Request) => {
      expectTypeOf(req.db).toEqualTypeOf<Pool>();
      expectTypeOf(req.user).toBeUnknown();
    });
    app.route('/rows', (req) => req.db.query('select 1'));
  });
});
