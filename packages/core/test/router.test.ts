import { METHODS } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { Application, Router } from '../src/index.js';
import { closeServer, describeBoth, recordingLogger } from './helpers/transports.js';

function routingApp(): Application {
  const app = new Application('routing', { logger: false });
  app.setFilter('email', '[\\w.\\-]+@[\\w.\\-]+');
  app.route('/', () => 'index');
  app.route('/static', () => 'static GET');
  app.route('/static', () => 'static POST', 'POST');
  app.route('/slash/', () => 'with slash');
  app.route('/test/<v:uuid>', (req, v) => ({ rule: req.uriRule, type: typeof v, v }));
  app.route('/test/<v:int>', (req, v) => ({ rule: req.uriRule, type: typeof v, v }));
  app.route('/test/<v:float>', (req, v) => ({ rule: req.uriRule, type: typeof v, v }));
  app.route('/test/<v:word>', (req, v) => ({ rule: req.uriRule, type: typeof v, v }));
  app.route('/test/<v:email>', (req, v) => ({ rule: req.uriRule, type: typeof v, v }));
  app.route('/test/<a>/<b>/<c>', (req, a, b, c) => ({ args: [a, b, c], params: { ...req.params } }));
  app.route('/test/<v:re:.*>', (req, v) => ({ rule: req.uriRule, v }));
  app.route('/f/<a:float>/<b:int>', (_req, a, b) => ({ a, b }));
  app.route('/hex/<h:hex>', (_req, h) => ({ h }));
  app.route('/case/<c:re:[A-Z]+>', (_req, c) => ({ c }));
  app.route('/item/<id:int>', (_req, id) => `get ${id}`);
  app.route('/item/<id:int>', (_req, id) => `delete ${id}`, 'DELETE');
  app.route('/any', (req) => `any ${req.method}`, '*');
  app.route('/<lang:re:[a-z]{2}>/about', (_req, lang) => `about in ${lang}`);
  app.route('/decoded/<name>', (req, name) => ({ name, path: req.path }));
  return app;
}

describeBoth('routing', (send) => {
  const app = routingApp();
  afterAll(() => closeServer(app));

  it('serves static routes exactly, trailing slash significant', async () => {
    expect((await send(app, '/static')).text()).toBe('static GET');
    expect((await send(app, '/slash/')).text()).toBe('with slash');
    expect((await send(app, '/slash')).status).toBe(404);
    expect((await send(app, '/static/')).status).toBe(404);
  });

  it('dispatches by method on the same static path', async () => {
    expect((await send(app, { url: '/static', method: 'POST' })).text()).toBe('static POST');
  });

  it('converts built-in filters by name, in registration order', async () => {
    const uuid = await send(app, '/test/3E4666BF-D5E5-4AA7-B8CE-CEFE41C7568A');
    expect(uuid.json()).toEqual({ rule: '/test/<v:uuid>', type: 'string', v: '3e4666bf-d5e5-4aa7-b8ce-cefe41c7568a' });
    expect((await send(app, '/test/-5')).json()).toEqual({ rule: '/test/<v:int>', type: 'number', v: -5 });
    expect((await send(app, '/test/3.14')).json()).toEqual({ rule: '/test/<v:float>', type: 'number', v: 3.14 });
    expect((await send(app, '/test/%C4%8De%C5%A1tina')).json()).toEqual({
      rule: '/test/<v:word>',
      type: 'string',
      v: 'čeština',
    });
    expect((await send(app, '/test/user@example.net')).json()).toMatchObject({
      rule: '/test/<v:email>',
      v: 'user@example.net',
    });
    expect((await send(app, '/test/a/b/c')).json()).toEqual({
      args: ['a', 'b', 'c'],
      params: { a: 'a', b: 'b', c: 'c' },
    });
    expect((await send(app, '/test/a/b')).json()).toEqual({ rule: '/test/<v:re:.*>', v: 'a/b' });
    expect((await send(app, '/test/')).json()).toEqual({ rule: '/test/<v:re:.*>', v: '' });
  });

  it('maps converters by name, so a float before an int works (upstream bug fixed)', async () => {
    expect((await send(app, '/f/1.5/2')).json()).toEqual({ a: 1.5, b: 2 });
    expect((await send(app, '/f/1/2')).json()).toEqual({ a: 1, b: 2 });
  });

  it('keeps hex as a string and the case of re: patterns (upstream bug fixed)', async () => {
    expect((await send(app, '/hex/00ff')).json()).toEqual({ h: '00ff' });
    expect((await send(app, '/case/ABC')).json()).toEqual({ c: 'ABC' });
    expect((await send(app, '/case/abc')).status).toBe(404);
  });

  it('routes patterns whose first segment is dynamic', async () => {
    expect((await send(app, '/en/about')).text()).toBe('about in en');
  });

  it('answers 405 with Allow for static and pattern routes', async () => {
    const onStatic = await send(app, { url: '/static', method: 'PUT' });
    expect(onStatic.status).toBe(405);
    expect(onStatic.header('allow')).toBe('GET, HEAD, POST, OPTIONS');
    const onPattern = await send(app, { url: '/item/7', method: 'POST' });
    expect(onPattern.status).toBe(405);
    expect(onPattern.header('allow')).toBe('GET, HEAD, DELETE, OPTIONS');
    expect((await send(app, { url: '/item/7', method: 'DELETE' })).text()).toBe('delete 7');
  });

  it('answers HEAD with the GET handler, same headers, no body', async () => {
    const get = await send(app, '/static');
    const head = await send(app, { url: '/static', method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(head.header('content-length')).toBe(get.header('content-length'));
    expect(head.header('content-type')).toBe(get.header('content-type'));
  });

  it('answers OPTIONS on a known path with 204 and Allow', async () => {
    const reply = await send(app, { url: '/item/3', method: 'OPTIONS' });
    expect(reply.status).toBe(204);
    expect(reply.header('allow')).toBe('GET, HEAD, DELETE, OPTIONS');
  });

  it("accepts every method on a '*' route", async () => {
    expect((await send(app, { url: '/any', method: 'PATCH' })).text()).toBe('any PATCH');
  });

  it('answers 405 with Allow on a known path for every method Node parses (QUERY …), 501 elsewhere for one no route knows', async () => {
    const strict = new Application('no-wildcard', { logger: false });
    strict.route('/static', () => 'x');
    try {
      const parsed = METHODS.filter((method) => !['CONNECT', 'GET', 'HEAD', 'OPTIONS'].includes(method));
      for (const method of parsed) {
        const known = await send(strict, { url: '/static', method });
        expect([method, known.status, known.header('allow')]).toEqual([method, 405, 'GET, HEAD, OPTIONS']);
      }
      expect((await send(strict, { url: '/elsewhere', method: 'QUERY' })).status).toBe(501);
      expect((await send(strict, { url: '/elsewhere', method: 'MKCOL' })).status).toBe(501);
      for (const method of ['PUT', 'DELETE', 'PATCH', 'POST', 'TRACE']) {
        const known = await send(strict, { url: '/static', method });
        expect([method, known.status, known.header('allow')]).toEqual([method, 405, 'GET, HEAD, OPTIONS']);
        expect([method, (await send(strict, { url: '/elsewhere', method })).status]).toEqual([method, 404]);
      }
      // a '*' route knows every method: the app above answers 405 instead
      expect((await send(app, { url: '/static', method: 'PROPFIND' })).status).toBe(405);
    } finally {
      await closeServer(strict);
    }
  });

  it('percent-decodes the path once, and answers 400 for malformed encoding', async () => {
    expect((await send(app, '/decoded/a%20b%252F')).json()).toEqual({ name: 'a b%2F', path: '/decoded/a b%2F' });
    const bad = await send(app, '/decoded/%E0%A4%A');
    expect(bad.status).toBe(400);
    expect(bad.text()).toContain('malformed percent-encoding');
  });

  it('answers 404 for unknown paths', async () => {
    expect((await send(app, '/nowhere')).status).toBe(404);
  });
});

describe('default handler and 404', () => {
  it('serves unmatched requests with the default handler for its methods', async () => {
    const app = new Application('defaults', { logger: false });
    app.route('/known', () => 'known');
    app.defaultHandler((req) => `default for ${req.path} (${req.uriRule})`, ['GET', 'POST']);
    expect((await app.inject('/unknown')).text()).toBe('default for /unknown (/*)');
    expect((await app.inject({ url: '/unknown', method: 'POST' })).text()).toBe('default for /unknown (/*)');
    expect((await app.inject({ url: '/unknown', method: 'HEAD' })).status).toBe(200);
  });

  it('logs 404 at debug level only: the default logger prints no line per 404', async () => {
    const logger = recordingLogger();
    const app = new Application('log404', { logger });
    await app.inject('/missing');
    const perRequest = logger.lines.filter((line) => !line.text.startsWith('Poor: log404 serves')); // the start-up line
    expect(perRequest).toEqual([{ level: 'debug', text: 'Poor: 404 Not Found: GET /missing' }]);
    const printed: unknown[] = [];
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((name) => {
      const original = console[name];
      console[name] = (...args: unknown[]) => void printed.push(args);
      return () => (console[name] = original);
    });
    try {
      const quiet = new Application('default-logger');
      for (let index = 0; index < 20; index += 1) await quiet.inject(`/missing/${index}`);
    } finally {
      for (const restore of spies) restore();
    }
    expect(printed).toEqual([]);
  });
});

describe('registration mistakes throw TypeError', () => {
  const app = new Application('mistakes', { logger: false });
  const noop = (): string => '';
  it.each([
    ['/a/<id:nofilter>', /unknown route filter 'nofilter'/],
    ['/a/<id : int>', /no spaces/],
    ['/a/<id>/<id>', /duplicate parameter 'id'/],
    ['/a/<1-x>', /invalid parameter name/],
    ['/a/<x:re:(>', /invalid route/],
    ['no-slash', /must start with '\/'/],
    ['/a/<x', /unbalanced/],
  ])('%s', (pattern, message) => {
    expect(() => app.route(pattern, noop)).toThrow(TypeError);
    expect(() => app.route(pattern, noop)).toThrow(message);
  });

  it('refuses the same route twice for the same method', () => {
    app.route('/twice', noop);
    expect(() => app.route('/twice', noop)).toThrow(/already registered for GET/);
    app.route('/twice/<n:int>', noop);
    expect(() => app.route('/twice/<n:int>', noop, ['POST', 'GET'])).toThrow(TypeError);
    // the failed call registered nothing
    expect(app.router.match('POST', '/twice/1').kind).toBe('method');
  });

  it('refuses an invalid filter regex', () => {
    expect(() => app.setFilter('broken', '(')).toThrow(TypeError);
  });
});

describe('Router internals', () => {
  it("keeps a static route's Allow value current as its methods change", () => {
    const router = new Router();
    const fn = (): string => '';
    router.add('/x', ['GET'], fn);
    expect(router.match('DELETE', '/x')).toMatchObject({ kind: 'method', allow: 'GET, HEAD, OPTIONS' });
    router.add('/x', ['PUT'], fn);
    expect(router.match('DELETE', '/x')).toMatchObject({ allow: 'GET, HEAD, PUT, OPTIONS' });
    router.addUpgrade('/x', 'websocket', fn);
    expect(router.match('DELETE', '/x')).toMatchObject({ allow: 'GET, HEAD, PUT, OPTIONS', upgrade: 'websocket' });
    router.remove('/x', 'PUT');
    expect(router.match('DELETE', '/x')).toMatchObject({ allow: 'GET, HEAD, OPTIONS' });
    router.add('/<any>', ['POST'], fn);
    expect(router.match('DELETE', '/x')).toMatchObject({ allow: 'GET, HEAD, POST, OPTIONS' });
  });

  it('gives route parameters without Object.prototype: __proto__ and constructor are plain data', () => {
    const router = new Router();
    router.add('/p/<__proto__>/<constructor>', ['GET'], () => '');
    const found = router.match('GET', '/p/a/b');
    expect(found.kind).toBe('found');
    const params = (found as { params: Record<string, unknown> }).params;
    expect(Object.keys(params)).toEqual(['__proto__', 'constructor']);
    expect(params['__proto__']).toBe('a');
    expect(params['constructor']).toBe('b');
    expect('toString' in params).toBe(false);
  });

  it('pops routes per method and altogether', () => {
    const router = new Router();
    const fn = (): string => '';
    router.add('/x/<n:int>', ['GET', 'POST'], fn);
    expect(router.remove('/x/<n:int>', 'POST')).toBe(true);
    expect(router.match('POST', '/x/1')).toMatchObject({ kind: 'method', allow: 'GET, HEAD, OPTIONS' });
    expect(router.remove('/x/<n:int>')).toBe(true);
    expect(router.match('GET', '/x/1').kind).toBe('none');
    expect(router.remove('/x/<n:int>')).toBe(false);
  });

  it('counts groups inside filter regexes, so later parameters stay right', () => {
    const router = new Router();
    router.setFilter('pair', '(\\d+)-(\\d+)');
    router.add('/g/<a:re:(x)(y)?>/<p:pair>/<b:int>', ['GET'], () => '');
    const found = router.match('GET', '/g/x/1-2/7');
    expect(found.kind === 'found' && found.args).toEqual(['x', '1-2', 7]);
  });

  it('keeps registration order across buckets and dynamic-first routes', () => {
    const router = new Router();
    const a = (): string => 'a';
    const b = (): string => 'b';
    router.add('/<any:re:.*>', ['GET'], a);
    router.add('/users/<id>', ['GET'], b);
    const found = router.match('GET', '/users/1');
    expect(found.kind === 'found' && found.handler).toBe(a);
  });

  it('stays correct with hundreds of routes', () => {
    const router = new Router();
    for (let index = 0; index < 300; index += 1) {
      router.add(`/r${index}/items/<id:int>`, ['GET'], () => index);
      router.add(`/s${index}`, ['GET'], () => index);
    }
    const found = router.match('GET', '/r277/items/42');
    expect(found.kind).toBe('found');
    if (found.kind === 'found') {
      expect(found.route.pattern).toBe('/r277/items/<id:int>');
      expect(found.args).toEqual([42]);
    }
  });
});
