// Type-level tests, checked by `npm run typecheck` (tsc): a wrong type makes the build fail.
import { describe, expectTypeOf, it } from 'vitest';
import {
  Application,
  type Request,
  type RouteParams,
  type RouteParamsObject,
  type RouteRequest,
} from '../src/index.js';

declare module '../src/index.js' {
  interface PoorFilters {
    email: string;
    day: Date;
  }
}

describe('RouteParams', () => {
  it('infers converted types in pattern order', () => {
    expectTypeOf<RouteParams<'/static/path'>>().toEqualTypeOf<[]>();
    expectTypeOf<RouteParams<'/user/<id:int>'>>().toEqualTypeOf<[number]>();
    expectTypeOf<RouteParams<'/user/<id:int>/<name>'>>().toEqualTypeOf<[number, string]>();
    expectTypeOf<RouteParams<'/f/<a:float>/<h:hex>/<u:uuid>/<w:word>'>>().toEqualTypeOf<
      [number, string, string, string]
    >();
    expectTypeOf<RouteParams<'/re/<v:re:[a-z]+>/<rest:re:.*>'>>().toEqualTypeOf<[string, string]>();
    expectTypeOf<RouteParams<'/INT/<id:INT>'>>().toEqualTypeOf<[number]>();
    expectTypeOf<RouteParams<string>>().toEqualTypeOf<string[]>();
  });

  it('uses augmented user filters', () => {
    expectTypeOf<RouteParams<'/d/<when:day>/<to:email>'>>().toEqualTypeOf<[Date, string]>();
  });

  it('builds the params object by name', () => {
    expectTypeOf<RouteParamsObject<'/user/<id:int>/<name>'>>().toEqualTypeOf<{ id: number; name: string }>();
    expectTypeOf<RouteParamsObject<string>>().toEqualTypeOf<Record<string, unknown>>();
  });
});

describe('app.route handler parameters', () => {
  const app = new Application('types', { logger: false });

  it('types handler parameters from the pattern', () => {
    app.route('/user/<id:int>/<name>', (req, id, name) => {
      expectTypeOf(req).toEqualTypeOf<RouteRequest<'/user/<id:int>/<name>'>>();
      expectTypeOf(id).toEqualTypeOf<number>();
      expectTypeOf(name).toEqualTypeOf<string>();
      return { id, name };
    });
    app.route('/only-req/<id:int>', (req: Request) => req.path);
  });

  it('types req.params from the pattern', () => {
    app.route('/user/<id:int>/<name>', (req) => {
      expectTypeOf(req.params).toEqualTypeOf<{ id: number; name: string }>();
      return req.params;
    });
    app.route('/plain', (req) => {
      // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- no parameters: the empty object type
      expectTypeOf(req.params).toEqualTypeOf<{}>();
      return 'ok';
    });
    expectTypeOf<RouteRequest<'/a/<x:float>'>['params']>().toEqualTypeOf<{ x: number }>();
  });

  it('rejects handlers that return what no response is made of, and unknown filters', () => {
    // @ts-expect-error a number is not a response
    app.route('/answer', () => 42);
    // @ts-expect-error nor a boolean
    app.route('/flag', (req) => req.path === '/');
    // @ts-expect-error nor a promise of a number
    app.route('/later', async () => 42);
    app.route('/fine', async () => ({ ok: true }));
    app.route('/empty', () => undefined);
    // @ts-expect-error 'nosuch' is not a known filter
    app.route('/thing/<id:nosuch>', (_req, id) => id);
    // augmented filters and regular expressions are known
    app.route('/day/<when:day>/<v:re:[a-z]+>', (_req, when, v) => ({ when, v }));
    const dynamic: string = '/built/<id:int>';
    app.route(dynamic, () => 'patterns built at run time are not checked');
  });

  it('rejects handlers whose parameters do not fit', () => {
    // @ts-expect-error id is a number, not a string
    app.route('/wrong/<id:int>', (_req: Request, id: string) => id);
    // @ts-expect-error the pattern has one parameter only
    app.route('/too-many/<id:int>', (_req: Request, _id: number, extra: string) => extra);
  });
});
