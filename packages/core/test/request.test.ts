import { afterAll, describe, expect, it } from 'vitest';
import { Application, type Request } from '../src/index.js';
import { closeServer, describeBoth } from './helpers/transports.js';

/** An app whose single route reports what the handler sees of the request. */
function echoApp(options: ConstructorParameters<typeof Application>[1] = {}): Application {
  const app = new Application('request', { logger: false, ...options });
  app.route(
    '/echo/<rest:re:.*>',
    (req: Request) => ({
      method: req.method,
      path: req.path,
      query: req.query,
      fullPath: req.fullPath,
      args: req.args.toJSON(),
      cookies: { ...req.cookies },
      mimeType: req.mimeType,
      charset: req.charset,
      contentLength: req.contentLength,
      accept: req.accept,
      acceptLanguage: req.acceptLanguage,
      acceptHtml: req.acceptHtml,
      acceptJson: req.acceptJson,
      acceptXhtml: req.acceptXhtml,
      isXhr: req.isXhr,
      authorization: { ...req.authorization },
      hostname: req.hostname,
      hostPort: req.hostPort,
      scheme: req.scheme,
      protocol: req.protocol,
      ip: req.ip ?? null,
      remoteAddr: req.remoteAddr ?? null,
      forwardedFor: req.forwardedFor ?? null,
      forwardedHost: req.forwardedHost ?? null,
      forwardedPort: req.forwardedPort ?? null,
      forwardedProto: req.forwardedProto ?? null,
      url: req.constructUrl('/x'),
      userAgent: req.userAgent ?? null,
      referer: req.referer ?? null,
      startTime: req.startTime,
      header: req.headers.get('X-Custom') ?? null,
    }),
    '*',
  );
  return app;
}

type Echo = Record<string, unknown>;

describeBoth('the request object', (send) => {
  const app = echoApp();
  afterAll(() => closeServer(app));

  it('splits path and query and parses args (repeated keys, +, percent)', async () => {
    const echo = (await send(app, '/echo/a%20b?x=1&tag=a&tag=b&name=J%C3%A1+N&blank=&__proto__=p')).json<Echo>();
    expect(echo.path).toBe('/echo/a b');
    expect(echo.query).toBe('x=1&tag=a&tag=b&name=J%C3%A1+N&blank=&__proto__=p');
    expect(echo.fullPath).toBe('/echo/a b?x=1&tag=a&tag=b&name=J%C3%A1+N&blank=&__proto__=p');
    expect(echo.args).toEqual({ x: '1', tag: ['a', 'b'], name: 'Já N', ['__proto__']: 'p' });
  });

  it('parses cookies without a prototype', async () => {
    const echo = (
      await send(app, { url: '/echo/', headers: { cookie: 'a=1; b="two"; __proto__=x; a=3' } })
    ).json<Echo>();
    expect(echo.cookies).toEqual({ a: '1', b: 'two', ['__proto__']: 'x' });
  });

  it('reads content type, charset and length', async () => {
    const echo = (
      await send(app, {
        url: '/echo/',
        method: 'PUT',
        headers: { 'content-type': 'Text/Plain; Charset=ISO-8859-2' },
        body: 'abc',
      })
    ).json<Echo>();
    expect(echo.mimeType).toBe('text/plain');
    expect(echo.charset).toBe('iso-8859-2');
    expect(echo.contentLength).toBe(3);
    const none = (await send(app, '/echo/')).json<Echo>();
    expect(none.mimeType).toBe('');
    expect(none.charset).toBe('utf-8');
    expect(none.contentLength).toBe(-1);
  });

  it('parses accept lists in header order with qualities', async () => {
    const echo = (
      await send(app, {
        url: '/echo/',
        headers: {
          accept: 'text/html;level=1, application/json;q=0.5, text/xhtml;q=0',
          'accept-language': 'cs, en;q=0.7',
          'x-requested-with': 'XMLHttpRequest',
        },
      })
    ).json<Echo>();
    expect(echo.accept).toEqual([
      ['text/html;level=1', 1],
      ['application/json', 0.5],
      ['text/xhtml', 0],
    ]);
    expect(echo.acceptLanguage).toEqual([
      ['cs', 1],
      ['en', 0.7],
    ]);
    expect(echo.acceptJson).toBe(true);
    expect(echo.acceptXhtml).toBe(false);
    expect(echo.isXhr).toBe(true);
  });

  it('parses Authorization: digest parameters, RFC 8187 username*, bare tokens', async () => {
    const digest = (
      await send(app, {
        url: '/echo/',
        headers: {
          authorization: `Digest username*=UTF-8''Ond%C5%99ej, realm="User Zone", nonce="abc", uri="/echo/", qop=auth, nc=00000001, response="ff"`,
        },
      })
    ).json<Echo>();
    expect(digest.authorization).toEqual({
      type: 'Digest',
      username: 'Ondřej',
      realm: 'User Zone',
      nonce: 'abc',
      uri: '/echo/',
      qop: 'auth',
      nc: '00000001',
      response: 'ff',
    });
    const basic = (await send(app, { url: '/echo/', headers: { authorization: 'basic dXNlcjpwYXNz' } })).json<Echo>();
    expect(basic.authorization).toEqual({ type: 'Basic', token: 'dXNlcjpwYXNz' });
    const bearer = (await send(app, { url: '/echo/', headers: { authorization: 'Bearer abc.def==' } })).json<Echo>();
    expect(bearer.authorization).toEqual({ type: 'Bearer', token: 'abc.def==' });
  });

  it('parses hosts, IPv6 included, and builds URLs', async () => {
    const v6 = (await send(app, { url: '/echo/', headers: { host: '[::1]:8080' } })).json<Echo>();
    expect(v6.hostname).toBe('::1');
    expect(v6.hostPort).toBe(8080);
    expect(v6.url).toBe('http://[::1]:8080/x');
    const plain = (await send(app, { url: '/echo/', headers: { host: 'example.org' } })).json<Echo>();
    expect(plain.hostname).toBe('example.org');
    expect(plain.hostPort).toBe(80);
    expect(plain.url).toBe('http://example.org/x');
  });

  it('reads X-Forwarded-* headers raw, but builds URLs and the client address without them', async () => {
    const echo = (
      await send(app, {
        url: '/echo/',
        headers: {
          host: 'example.org:8080',
          'x-forwarded-for': '10.0.0.1, 10.0.0.2',
          'x-forwarded-host': 'evil.example',
          'x-forwarded-proto': 'https',
        },
      })
    ).json<Echo>();
    expect(echo.forwardedFor).toBe('10.0.0.1, 10.0.0.2');
    expect(echo.forwardedHost).toBe('evil.example');
    expect(echo.forwardedProto).toBe('https');
    // trustProxy is off by default: anybody can send these headers
    expect(echo.url).toBe('http://example.org:8080/x');
    expect(echo.protocol).toBe('http');
    expect(echo.ip).toBe('127.0.0.1');
  });

  const trusting = echoApp({ trustProxy: 'loopback' });
  afterAll(() => closeServer(trusting));

  it('believes X-Forwarded-* from a proxy trustProxy names', async () => {
    const echo = (
      await send(trusting, {
        url: '/echo/',
        headers: {
          'x-forwarded-for': '203.0.113.9, 10.0.0.2',
          'x-forwarded-host': 'pub.example.org:9000',
          'x-forwarded-proto': 'https',
        },
      })
    ).json<Echo>();
    expect(echo.forwardedPort).toBe(9000);
    expect(echo.url).toBe('https://pub.example.org:9000/x');
    expect(echo.protocol).toBe('https');
    // 10.0.0.2 is not loopback: it is the first address not trusted, so it is the client
    expect(echo.ip).toBe('10.0.0.2');
    expect(echo.remoteAddr).toBe('127.0.0.1');
    const noPort = (
      await send(trusting, {
        url: '/echo/',
        headers: { 'x-forwarded-host': 'example.com', 'x-forwarded-proto': 'https' },
      })
    ).json<Echo>();
    expect(noPort.url).toBe('https://example.com/x');
  });

  it('keeps headers case-insensitive and reports start time in epoch seconds', async () => {
    const before = Date.now() / 1000;
    const echo = (
      await send(app, { url: '/echo/', headers: { 'x-custom': 'yes', 'user-agent': 'tests', referer: 'http://r/' } })
    ).json<Echo>();
    expect(echo.header).toBe('yes');
    expect(echo.userAgent).toBe('tests');
    expect(echo.referer).toBe('http://r/');
    expect(echo.startTime).toBeGreaterThanOrEqual(before - 1);
    expect(echo.startTime).toBeLessThanOrEqual(Date.now() / 1000 + 1);
  });
});

describe('request options', () => {
  it('autoArgs and autoCookies off leave them empty', async () => {
    const app = echoApp({ autoArgs: false, autoCookies: false });
    const echo = (await app.inject({ url: '/echo/?a=1', headers: { cookie: 'a=1' } })).json<Echo>();
    expect(echo.args).toEqual({});
    expect(echo.cookies).toEqual({});
  });

  it('keepBlankValues keeps empty values', async () => {
    const echo = (await echoApp({ keepBlankValues: true }).inject('/echo/?a=&b')).json<Echo>();
    expect(echo.args).toEqual({ a: '', b: '' });
  });

  it('strictParsing answers 400 for malformed query pairs and encodings', async () => {
    const app = echoApp({ strictParsing: true });
    expect((await app.inject('/echo/?novalue')).status).toBe(400);
    expect((await app.inject('/echo/?a=%E0%A4%A')).status).toBe(400);
    expect((await echoApp().inject('/echo/?a=%E0%A4%A&b=%41')).json<Echo>().args).toEqual({ a: '%E0%A4%A', b: 'A' });
  });

  it('args helpers convert values but never defaults', async () => {
    const app = new Application('args', { logger: false });
    app.route('/', (req) => ({
      first: req.args.getFirst('n', 'default', Number),
      missing: req.args.getFirst('missing', 'default', Number),
      list: req.args.getList('n', [], Number),
      value: req.args.getValue('n'),
      has: req.args.has('n'),
      keys: req.args.keys(),
    }));
    expect((await app.inject('/?n=1&n=2')).json()).toEqual({
      first: 1,
      missing: 'default',
      list: [1, 2],
      value: ['1', '2'],
      has: true,
      keys: ['n'],
    });
  });

  it('body() and text() read the body within limits.body (413 beyond)', async () => {
    const app = new Application('body', { logger: false, limits: { body: 10 } });
    app.route('/', async (req) => `${(await req.body()).length}:${await req.text()}`, 'POST');
    expect((await app.inject({ url: '/', method: 'POST', body: 'hello' })).text()).toBe('5:hello');
    expect((await app.inject({ url: '/', method: 'POST', body: 'x'.repeat(11) })).status).toBe(413);
    const latin = await app.inject({
      url: '/',
      method: 'POST',
      body: Buffer.from([0xe1]),
      headers: { 'content-type': 'text/plain; charset=latin1' },
    });
    expect(latin.text()).toBe('1:á');
    const badCharset = await app.inject({
      url: '/',
      method: 'POST',
      body: 'x',
      headers: { 'content-type': 'text/plain; charset=nope' },
    });
    expect(badCharset.status).toBe(400);
  });
});
