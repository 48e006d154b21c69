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
  interface SessionData {
    user?: string;
    visits?: number;
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

describe('SessionData', () => {
  it('types req.session.data by declaration merging; other keys stay unknown', () => {
    const app = new Application('typed-session');
    app.route('/me', (req) => {
      expectTypeOf(req.session.data.user).toEqualTypeOf<string | undefined>();
      expectTypeOf(req.session.data.visits).toEqualTypeOf<number | undefined>();
      expectTypeOf(req.session.data.other).toBeUnknown();
      // @ts-expect-error -- a named field keeps its type
      req.session.data.visits = 'many';
      expectTypeOf(req.session.destroy).toEqualTypeOf<() => void>();
      return { user: req.session.data.user ?? null };
    });
  });
});
