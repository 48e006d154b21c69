// Type-level tests of hooks by phase, checked by `npm run typecheck` (tsc).
import type { ServerResponse } from 'node:http';
import { describe, expectTypeOf, it } from 'vitest';
import { Application, type Phase, type PhaseHooks, type Request, type Response } from '../src/index.js';

describe('app.addHook', () => {
  it('types each phase’s hook', () => {
    const app = new Application('types');
    app.addHook('guard', (req) => expectTypeOf(req).toEqualTypeOf<Request>());
    app.addHook('onSend', (req, response) => {
      expectTypeOf(response).toEqualTypeOf<Response>();
      return response;
    });
    app.addHook('onResponse', (_req, res) => expectTypeOf(res).toEqualTypeOf<ServerResponse>());
    // @ts-expect-error: there is no such phase
    app.addHook('preParse', () => undefined);
    expectTypeOf<Phase>().toEqualTypeOf<
      'onRequest' | 'guard' | 'preValidation' | 'validation' | 'preHandler' | 'onSend' | 'onResponse'
    >();
    expectTypeOf(app.hooksOf('onSend')).toEqualTypeOf<ReadonlyArray<PhaseHooks['onSend']>>();
  });

  it('types a route’s own hooks', () => {
    const app = new Application('types');
    app.route('/a', () => 'a', { methods: 'POST', hooks: { preHandler: [(req) => void req.path] } });
    // @ts-expect-error: onRequest runs before routing, so a route cannot hold one
    app.route('/b', () => 'b', { hooks: { onRequest: [() => undefined] } });
  });
});
