// The apiKey() guard (issue 28: API keys are among the auth guards a generated document names):
// the key from a header, a query parameter or a cookie, checked by the user's function; a
// missing or refused key is a 401 naming where the key goes. Guards describe their security.
import { afterAll, describe, expect, it } from 'vitest';
import { apiKey, Application, basic, checkDigest, controller, digest, guard, route, securityOf } from '../src/index.js';
import { closeServer, describeBoth, type Send } from './helpers/transports.js';

const KEYS = new Map([['k-ann', { name: 'ann' }]]);
const lookUp = (key: string): { name: string } | undefined => KEYS.get(key);

function keyApp(): Application {
  const app = new Application('keys', { logger: false });
  app.route('/header', (req) => ({ user: req.user }), { before: [apiKey({ name: 'X-API-Key', verify: lookUp })] });
  app.route('/query', (req) => ({ user: req.user }), {
    before: [apiKey({ in: 'query', name: 'key', verify: lookUp })],
  });
  app.route('/cookie', () => 'ok', {
    before: [apiKey({ in: 'cookie', name: 'token', verify: async (key) => key === 'k-ann' })],
  });
  return app;
}

describeBoth('apiKey()', (send: Send) => {
  const app = keyApp();
  afterAll(() => closeServer(app));

  it('accepts a key from a header, a query parameter or a cookie; what verify returns becomes req.user', async () => {
    expect((await send(app, { url: '/header', headers: { 'x-api-key': 'k-ann' } })).json()).toEqual({
      user: { name: 'ann' },
    });
    expect((await send(app, '/query?key=k-ann')).json()).toEqual({ user: { name: 'ann' } });
    expect((await send(app, { url: '/cookie', headers: { cookie: 'token=k-ann' } })).text()).toBe('ok');
  });

  it('a missing, empty or refused key is a 401 whose WWW-Authenticate names where the key goes', async () => {
    for (const request of [
      { url: '/header' },
      { url: '/header', headers: { 'x-api-key': '' } },
      { url: '/header', headers: { 'x-api-key': 'k-bob' } },
    ]) {
      const reply = await send(app, request);
      expect([reply.status, reply.header('www-authenticate')]).toEqual([401, 'APIKey in="header", name="X-API-Key"']);
    }
    expect((await send(app, '/query?key=nope')).header('www-authenticate')).toBe('APIKey in="query", name="key"');
    expect((await send(app, { url: '/cookie', headers: { cookie: 'token=nope' } })).status).toBe(401);
  });
});

describe('the security a guard describes', () => {
  it('digest, basic and apiKey say their OpenAPI security scheme; other guards say nothing', () => {
    expect(securityOf(digest('zone'))).toEqual({ name: 'digest', scheme: { type: 'http', scheme: 'digest' } });
    expect(securityOf(basic('zone', () => true))).toEqual({ name: 'basic', scheme: { type: 'http', scheme: 'basic' } });
    expect(securityOf(apiKey({ in: 'cookie', name: 't', verify: () => true, scheme: 'session' }))).toEqual({
      name: 'session',
      scheme: { type: 'apiKey', in: 'cookie', name: 't' },
    });
    expect(securityOf(() => undefined)).toBeUndefined();
  });

  it("app.guardsOf(handler) lists the app's, the controller's and the route's own guards, in order", async () => {
    const appGuard = (): undefined => undefined;
    const methodGuard = apiKey({ name: 'X-Key', verify: () => true });
    @controller('/c')
    @checkDigest('zone')
    class Guarded {
      @route('/m')
      @guard(methodGuard)
      method(): string {
        return 'm';
      }
    }
    const app = new Application('guards', { controllers: [Guarded], logger: false, secretKey: 'k'.repeat(32) });
    app.before(appGuard);
    const own = basic('route', () => true);
    app.route('/r', () => 'r', { before: [own] });
    await app.ready();
    const handlerOf = (pattern: string) => app.router.get(pattern)?.handlers.get('GET') as never;
    expect(app.guardsOf(handlerOf('/r'))).toEqual([appGuard, own]);
    const names = app.guardsOf(handlerOf('/c/m')).map((hook) => securityOf(hook)?.name ?? hook.name);
    expect(names).toEqual(['appGuard', 'digest', 'apiKey']);
  });

  it('apiKey() without a name or a verify function is a TypeError at once', () => {
    expect(() => apiKey({ name: '', verify: () => true })).toThrow(TypeError);
    expect(() => apiKey({ name: 'x' } as never)).toThrow(/verify\(key, req\)/);
  });
});
