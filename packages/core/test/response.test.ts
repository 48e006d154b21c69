import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import {
  Application,
  Declined,
  GeneratorResponse,
  JSONGeneratorResponse,
  JSONResponse,
  makeResponse,
  NoContentResponse,
  NotModifiedResponse,
  PartialResponse,
  RedirectResponse,
  Response,
  StreamResponse,
  TextResponse,
  UnsupportedResponseError,
} from '../src/index.js';
import { closeServer, describeBoth, recordingLogger } from './helpers/transports.js';

function responsesApp(logger = recordingLogger()): Application {
  const app = new Application('responses', { logger });
  app.route('/string', () => '<b>hi</b>');
  app.route('/bytes', () => Buffer.from([0, 1, 2, 255]));
  app.route('/object', () => ({ a: 1, list: [1, 'two'] }));
  app.route('/array', () => [['key', 'value']]);
  app.route('/null', () => null);
  app.route('/undefined', () => undefined);
  app.route('/promise', async () => ({ later: true }));
  app.route('/generator', function* () {
    for (let index = 0; index < 3; index += 1) yield `line ${index}\n`;
  });
  app.route('/async-generator', async function* () {
    yield 'a';
    await new Promise((resolve) => setTimeout(resolve, 5));
    yield Buffer.from('b');
  });
  app.route('/readable', () => Readable.from(['x', 'y', 'z']));
  app.route(
    '/fetch',
    () =>
      new globalThis.Response('from fetch', { status: 201, headers: { 'x-fetch': '1', 'content-type': 'text/plain' } }),
  );
  // @ts-expect-error a number is no response (the run-time answer is tested here)
  app.route('/unsupported', () => 42);
  app.route('/text', () => new TextResponse('plain'));
  app.route(
    '/json-generator',
    () =>
      new JSONGeneratorResponse(
        {
          message: 'teapot',
          numbers: (function* () {
            yield* [0, 1, 2];
          })(),
          nested: { ok: true },
        },
        { status: 418 },
      ),
  );
  app.route('/no-content', () => new NoContentResponse({ headers: { 'Super-Header': 'yes' } }));
  app.route('/redirect', () => new RedirectResponse('/target', { status: 308, message: 'moved' }));
  app.route('/not-modified', () => new NotModifiedResponse({ etag: '"012"', vary: 'Accept' }));
  app.route('/partial', () => new PartialResponse('abc').makeRange([{ start: 0, end: 2 }], 'bytes', 10));
  app.route('/header-injection', () => {
    const response = new Response('x');
    response.headers.set('X-Evil', 'a\r\nSet-Cookie: stolen=1');
    return response;
  });
  app.route('/powered', () => new Response('x', { headers: { 'X-Powered-By': 'Mine' } }));
  app.route('/generator-throws', function* () {
    const fail = true;
    if (fail) throw new Error('boom before first chunk');
    yield 'never';
  });
  return app;
}

describeBoth('makeResponse through handlers', (send) => {
  const logger = recordingLogger();
  const app = responsesApp(logger);
  afterAll(() => closeServer(app));

  it('string → 200 HTML with Content-Length and X-Powered-By', async () => {
    const reply = await send(app, '/string');
    expect(reply.status).toBe(200);
    expect(reply.header('content-type')).toBe('text/html; charset=utf-8');
    expect(reply.header('content-length')).toBe('9');
    expect(reply.header('x-powered-by')).toBe('Poor');
    expect(reply.text()).toBe('<b>hi</b>');
  });

  it('bytes → application/octet-stream', async () => {
    const reply = await send(app, '/bytes');
    expect(reply.header('content-type')).toBe('application/octet-stream');
    expect([...reply.body]).toEqual([0, 1, 2, 255]);
  });

  it('plain objects and arrays → JSON', async () => {
    const object = await send(app, '/object');
    expect(object.header('content-type')).toBe('application/json; charset=utf-8');
    expect(object.json()).toEqual({ a: 1, list: [1, 'two'] });
    expect((await send(app, '/array')).json()).toEqual([['key', 'value']]);
  });

  it('null and undefined → 204 without body', async () => {
    for (const url of ['/null', '/undefined']) {
      const reply = await send(app, url);
      expect(reply.status).toBe(204);
      expect(reply.body.length).toBe(0);
      expect(reply.header('content-length')).toBeUndefined();
    }
  });

  it('promises are awaited', async () => {
    expect((await send(app, '/promise')).json()).toEqual({ later: true });
  });

  it('sync and async generators and Readables stream without Content-Length', async () => {
    const sync = await send(app, '/generator');
    expect(sync.text()).toBe('line 0\nline 1\nline 2\n');
    expect(sync.header('content-length')).toBeUndefined();
    expect(sync.header('transfer-encoding')).toBe('chunked');
    expect((await send(app, '/async-generator')).text()).toBe('ab');
    expect((await send(app, '/readable')).text()).toBe('xyz');
  });

  it('fetch-API Responses are converted', async () => {
    const reply = await send(app, '/fetch');
    expect(reply.status).toBe(201);
    expect(reply.header('x-fetch')).toBe('1');
    expect(reply.header('content-type')).toBe('text/plain');
    expect(reply.text()).toBe('from fetch');
  });

  it('an unsupported value → 500 and a log line naming the handler and the type', async () => {
    const reply = await send(app, '/unsupported');
    expect(reply.status).toBe(500);
    expect(reply.text()).not.toContain('UnsupportedResponseError');
    expect(
      logger.lines.some(
        (line) => line.level === 'error' && line.text.includes('/unsupported') && line.text.includes('(number)'),
      ),
    ).toBe(true);
  });

  it('TextResponse is text/plain', async () => {
    expect((await send(app, '/text')).header('content-type')).toBe('text/plain; charset=utf-8');
  });

  it('JSONGeneratorResponse streams iterables as arrays', async () => {
    const reply = await send(app, '/json-generator');
    expect(reply.status).toBe(418);
    expect(reply.header('content-length')).toBeUndefined();
    expect(reply.json()).toEqual({ message: 'teapot', numbers: [0, 1, 2], nested: { ok: true } });
  });

  it('NoContentResponse sends its headers (upstream dropped them)', async () => {
    const reply = await send(app, '/no-content');
    expect(reply.status).toBe(204);
    expect(reply.header('super-header')).toBe('yes');
  });

  it('RedirectResponse', async () => {
    const reply = await send(app, '/redirect');
    expect(reply.status).toBe(308);
    expect(reply.header('location')).toBe('/target');
    expect(reply.text()).toBe('moved');
  });

  it('NotModifiedResponse sends ETag and Vary', async () => {
    const reply = await send(app, '/not-modified');
    expect(reply.status).toBe(304);
    expect(reply.header('etag')).toBe('"012"');
    expect(reply.header('vary')).toBe('Accept');
  });

  it('PartialResponse.makeRange sets Content-Range', async () => {
    const reply = await send(app, '/partial');
    expect(reply.status).toBe(206);
    expect(reply.header('content-range')).toBe('bytes 0-2/10');
  });

  it('a header value with CR/LF → 500 logged, nothing injected', async () => {
    const reply = await send(app, '/header-injection');
    expect(reply.status).toBe(500);
    expect(reply.header('set-cookie')).toBeUndefined();
    expect(reply.header('x-evil')).toBeUndefined();
    expect(logger.lines.some((line) => line.level === 'error' && line.text.includes('/header-injection'))).toBe(true);
  });

  it('keeps an X-Powered-By the response set', async () => {
    expect((await send(app, '/powered')).header('x-powered-by')).toBe('Mine');
  });

  it('a body that fails before its first chunk gives a 500 page', async () => {
    const reply = await send(app, '/generator-throws');
    expect(reply.status).toBe(500);
    expect(reply.text()).toContain('500');
  });
});

describe('response objects', () => {
  it('poweredBy: false sends no X-Powered-By', async () => {
    const app = new Application('quiet', { poweredBy: false, logger: false });
    app.route('/', () => 'x');
    expect((await app.inject('/')).headers['x-powered-by']).toBeUndefined();
  });

  it('a response object can be sent once', async () => {
    const logger = recordingLogger();
    const app = new Application('once', { logger });
    const shared = new Response('shared');
    app.route('/', () => shared);
    expect((await app.inject('/')).status).toBe(200);
    expect((await app.inject('/')).status).toBe(500);
    expect(logger.lines.some((line) => line.text.includes('only once'))).toBe(true);
  });

  it('write() appends and status is validated', () => {
    const response = new Response('a');
    response.write('b').write(Buffer.from('c'));
    expect(response.data.toString()).toBe('abc');
    expect(() => {
      response.status = 42;
    }).toThrow(TypeError);
    expect(() => new Response('', { status: 1000 })).toThrow(TypeError);
  });

  it('JSONResponse charset null leaves the parameter out', () => {
    expect(new JSONResponse({}, { charset: null }).contentType).toBe('application/json');
  });

  it('makeResponse rejects what it cannot send', () => {
    expect(() => makeResponse(Symbol('x'))).toThrow(UnsupportedResponseError);
    expect(() => makeResponse(new Map())).toThrow(UnsupportedResponseError);
    expect(() => makeResponse(new Date())).toThrow(UnsupportedResponseError);
    expect(makeResponse(new Uint8Array([1]))).toBeInstanceOf(Response);
    expect(makeResponse([1][Symbol.iterator]())).toBeInstanceOf(GeneratorResponse);
    expect(makeResponse(Readable.from([]))).toBeInstanceOf(StreamResponse);
  });

  it('RedirectResponse refuses non-3xx statuses', () => {
    expect(() => new RedirectResponse('/x', { status: 200 })).toThrow(TypeError);
    expect(new RedirectResponse('/x', { permanent: true }).status).toBe(301);
  });

  it('Declined writes nothing: the handler took the connection over', async () => {
    const app = new Application('declined', { logger: false });
    app.route('/', (req) => {
      req.rawResponse?.writeHead(299, { 'x-own': '1' });
      req.rawResponse?.end('mine');
      return new Declined();
    });
    const reply = await app.inject('/');
    expect(reply.status).toBe(299);
    expect(reply.text()).toBe('mine');
  });
});

describe('content types built from options are validated', () => {
  it('a charset with CR/LF cannot inject a header', () => {
    expect(() => new JSONResponse({}, { charset: 'utf-8\r\nX-Evil: 1' })).toThrow(TypeError);
    expect(() => new TextResponse('x', { charset: 'a\nb' })).toThrow(TypeError);
    expect(() => new Response('x', { contentType: 'text/html\r\nX: y' })).toThrow(TypeError);
  });
});

describe('setCookie and clearCookie', () => {
  it('add Set-Cookie headers a real client reads, path / by default', async () => {
    const app = new Application('cookies', { logger: false });
    app.route('/in', () =>
      new JSONResponse({ ok: true })
        .setCookie('sid', 'abc123', { httpOnly: true, sameSite: 'Lax', maxAge: 3600 })
        .setCookie('theme', 'dark', { path: '/app' }),
    );
    app.route('/out', () => new Response('bye').clearCookie('sid'));
    const { port } = await app.listen({ port: 0 });
    try {
      const login = await fetch(`http://127.0.0.1:${port}/in`);
      expect(login.headers.getSetCookie()).toEqual([
        'sid=abc123; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax',
        'theme=dark; Path=/app',
      ]);
      const logout = await fetch(`http://127.0.0.1:${port}/out`);
      expect(logout.headers.getSetCookie()).toEqual(['sid=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0']);
    } finally {
      await app.close();
    }
  });

  it('refuses a value that would inject attributes', () => {
    expect(() => new Response('').setCookie('a', 'x; Domain=evil.example')).toThrow(TypeError);
    expect(() => new Response('').setCookie('bad name', 'x')).toThrow(/invalid cookie name/);
  });
});
