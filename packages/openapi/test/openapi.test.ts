import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { Application, JSONResponse, StreamResponse } from '@poor/core';
import { closeServer, describeBoth, recordingLogger } from './transports.js';
import { openapi } from '../src/index.js';
import { document30, fixtureApp, KEY } from './fixtures.js';

interface Reply {
  path: Record<string, unknown>;
  query: Record<string, unknown>;
  headers: Record<string, unknown>;
  cookies: Record<string, unknown>;
  body: unknown;
  security: Record<string, unknown>;
}
interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors: Array<{ in: string; name: string; message: string }>;
}

describeBoth('@poor/openapi parameters', (send) => {
  const app = fixtureApp();
  afterAll(() => closeServer(app));
  const get = (url: string, headers: Record<string, string> = {}) =>
    send(app, { url, headers: { ...KEY, ...headers } });

  it('coerces path and query parameters to their types, maps route names by position, applies defaults', async () => {
    const reply = await get('/pets/7?fields=name&fields=age');
    expect(reply.status).toBe(200);
    const data = reply.json<Reply>();
    expect(data.path).toEqual({ petId: 7 });
    expect(data.query).toEqual({ fields: ['name', 'age'], verbose: false });
  });

  it('answers 400 with problem details (RFC 9457) naming where and what', async () => {
    const reply = await get('/pets/0?verbose=maybe&fields=colour');
    expect(reply.status).toBe(400);
    expect(reply.header('content-type')).toBe('application/problem+json');
    const problem = reply.json<Problem>();
    expect(problem.errors).toEqual([
      { in: 'path', name: 'petId', message: 'must be >= 1' },
      {
        in: 'query',
        name: 'fields',
        message: expect.stringContaining('/0 must be equal to one of the allowed values') as string,
      },
      { in: 'query', name: 'verbose', message: 'must be boolean' },
    ]);
    expect(problem).toMatchObject({ type: 'about:blank', title: 'Bad Request', status: 400 });
    expect(problem.detail).toBe("path 'petId' must be >= 1 (and 2 more)");
  });

  it('checks header parameters and ignores Accept, as OpenAPI says', async () => {
    expect((await get('/pets/1', { 'x-trace': 'zz' })).status).toBe(400);
    const fine = await get('/pets/1', { 'x-trace': '0123abcd', accept: 'application/json' });
    expect(fine.status).toBe(200);
    expect(fine.json<Reply>().headers).toEqual({ 'X-Trace': '0123abcd' });
  });

  it('reads label, matrix and simple path styles', async () => {
    const reply = await get('/styles/.5/;matrix=6/1,2,3');
    expect(reply.status).toBe(200);
    expect(reply.json<Reply>().path).toEqual({ label: 5, matrix: 6, list: [1, 2, 3] });
    expect((await get('/styles/5/;matrix=6/1')).status).toBe(400); // a label value needs its dot
    expect((await get('/styles/.5/;other=6/1')).status).toBe(400);
    expect((await get('/styles/.5/;matrix=6/1,x')).status).toBe(400);
  });

  it('reads form, spaceDelimited, pipeDelimited, deepObject, exploded objects and JSON content in the query', async () => {
    const query = 'csv=1,2&spaced=3%204&piped=5|6&filter[min]=2&filter[color]=red&x=1.5&y=-2&where=%7B%22q%22%3A1%7D';
    const reply = await get(`/styles/.1/;matrix=1/1?${query}`);
    expect(reply.status).toBe(200);
    expect(reply.json<Reply>().query).toEqual({
      csv: [1, 2],
      spaced: [3, 4],
      piped: [5, 6],
      filter: { min: 2, color: 'red' },
      point: { x: 1.5, y: -2 },
      where: { q: 1 },
    });
    expect((await get('/styles/.1/;matrix=1/1?where=%7Bbroken')).json<Problem>().errors[0]).toEqual({
      in: 'query',
      name: 'where',
      message: 'is not valid JSON',
    });
    expect((await get('/styles/.1/;matrix=1/1?where=%7B%7D')).status).toBe(400);
    expect((await get('/styles/.1/;matrix=1/1?filter[min]=low')).status).toBe(400);
  });

  it('reads header arrays and cookies', async () => {
    const reply = await get('/styles/.1/;matrix=1/1', { 'x-ids': '4, 5', cookie: 'theme=dark' });
    expect(reply.status).toBe(200);
    const data = reply.json<Reply>();
    expect(data.headers).toEqual({ 'X-Ids': [4, 5] });
    expect(data.cookies).toEqual({ theme: 'dark' });
    const bad = await get('/styles/.1/;matrix=1/1', { cookie: 'theme=pink' });
    expect(bad.json<Problem>().errors[0]).toMatchObject({ in: 'cookie', name: 'theme' });
  });

  it('keeps text that only looks like a number when the schema wants text', async () => {
    const reply = await get('/search?limit=5&code=0042');
    expect(reply.status).toBe(200);
    expect(reply.json<Reply>().query).toEqual({ limit: 5, code: '0042' });
    expect((await get('/search')).json<Problem>().errors).toEqual([
      { in: 'query', name: 'limit', message: 'is required' },
    ]);
    expect((await get('/search?limit=1.5')).status).toBe(400);
    expect((await get('/search?limit=101')).status).toBe(400);
  });

  it('lets undescribed routes and unknown paths through untouched', async () => {
    expect((await get('/undescribed')).text()).toBe('not in the document');
    expect((await send(app, '/undescribed')).status).toBe(200); // no security either
    expect((await get('/nowhere')).status).toBe(404);
    expect((await send(app, { method: 'DELETE', url: '/search' })).status).toBe(405);
    // a method the route has and the document does not describe: not validated
    expect((await send(app, { method: 'POST', url: '/search' })).text()).toBe('posted');
  });
});

describeBoth('@poor/openapi bodies', (send) => {
  const app = fixtureApp();
  afterAll(() => closeServer(app));
  const put = (body: unknown, headers: Record<string, string> = {}) =>
    send(app, { method: 'PUT', url: '/pets/3', headers: { ...KEY, ...headers }, body: body as object });

  it('validates a JSON body against a $ref schema, recursion included', async () => {
    const pet = { name: 'Rex', age: 3, tags: ['a'], owner: null, child: { next: { value: 1 } } };
    const reply = await put(pet);
    expect(reply.status).toBe(200);
    expect(reply.json<Reply>().body).toEqual(pet);
  });

  it.each([
    [{ age: 3 }, '', "must have required property 'name'"],
    [{ name: 'Rex', extra: 1 }, '', "must NOT have additional properties 'extra'"],
    [{ name: 'Rex', age: 100 }, '/age', 'must be < 100'],
    [{ name: 'Rex', owner: 5 }, '/owner', 'must be string,null'],
    [{ name: 'Rex', child: { next: { next: { value: 'x' } } } }, '/child/next/next/value', 'must be integer'],
  ])('refuses %j: %s %s', async (body, name, message) => {
    const reply = await put(body);
    expect(reply.status).toBe(400);
    expect(reply.json<Problem>().errors).toEqual([{ in: 'body', name, message }]);
  });

  it('requires a required body, and answers 415 for an undeclared content type', async () => {
    const none = await send(app, { method: 'PUT', url: '/pets/3', headers: KEY });
    expect(none.json<Problem>().errors).toEqual([{ in: 'body', name: '', message: 'is required' }]);
    const xml = await put('<pet/>', { 'content-type': 'application/xml' });
    expect(xml.status).toBe(415);
    expect(xml.json<Problem>().errors[0]).toMatchObject({ in: 'header', name: 'Content-Type' });
  });

  it('validates urlencoded forms with coercion, multipart with files, text and +json bodies', async () => {
    const form = (body: string, type: string) =>
      send(app, { method: 'POST', url: '/forms', headers: { ...KEY, 'content-type': type }, body });
    const urlencoded = await form('count=3&tags=a&tags=b', 'application/x-www-form-urlencoded');
    expect(urlencoded.json<Reply>().body).toEqual({ count: 3, tags: ['a', 'b'] });
    expect((await form('count=many', 'application/x-www-form-urlencoded')).status).toBe(400);
    const boundary = 'XyZ';
    const multipart = [
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nhello\r\n`,
      `--${boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nhi\r\n--${boundary}--\r\n`,
    ].join('');
    const uploaded = await form(multipart, `multipart/form-data; boundary=${boundary}`);
    expect(uploaded.status).toBe(200);
    expect(uploaded.json<Reply>().body).toMatchObject({
      note: 'hi',
      file: expect.objectContaining({ filename: 'a.txt' }) as object,
    });
    const noFile = `--${boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nhi\r\n--${boundary}--\r\n`;
    expect((await form(noFile, `multipart/form-data; boundary=${boundary}`)).status).toBe(400);
    expect((await form('short', 'text/plain')).json<Reply>().body).toBe('short');
    expect((await form('too long', 'text/plain')).status).toBe(400);
    expect((await form('{"a":1}', 'application/merge-patch+json')).json<Reply>().body).toEqual({ a: 1 });
    expect((await form('[1]', 'application/merge-patch+json')).status).toBe(400);
    expect((await form('{bad', 'application/merge-patch+json')).status).toBe(400);
  });
});

describeBoth('@poor/openapi security', (send) => {
  const app = fixtureApp({
    security: {
      HeaderKey: (key) => key === 'k1' && { key },
      QueryKey: async (key) => Promise.resolve(key === 'q1'),
    },
  });
  afterAll(() => closeServer(app));

  it('takes any one alternative; a verifier result lands in api.security', async () => {
    const header = await send(app, { url: '/secure/key', headers: KEY });
    expect(header.json<Reply>().security).toEqual({ HeaderKey: { key: 'k1' } });
    const query = await send(app, '/secure/key?api_key=q1');
    expect(query.json<Reply>().security).toEqual({ QueryKey: true });
  });

  it('answers 401 naming every missing credential, and for a credential a verifier refuses', async () => {
    const none = await send(app, '/secure/key');
    expect(none.status).toBe(401);
    expect(none.json<Problem>().errors).toEqual([
      { in: 'header', name: 'X-API-Key', message: 'is required (security scheme HeaderKey)' },
      { in: 'query', name: 'api_key', message: 'is required (security scheme QueryKey)' },
    ]);
    const wrong = await send(app, { url: '/secure/key', headers: { 'x-api-key': 'nope' } });
    expect(wrong.status).toBe(401);
    expect(wrong.json<Problem>().errors[0]?.message).toBe('credentials were not accepted');
    expect((await send(app, '/secure/key?api_key=wrong')).status).toBe(401);
  });

  it('needs every scheme of an alternative', async () => {
    expect((await send(app, { url: '/secure/both', headers: KEY })).status).toBe(401);
    expect((await send(app, { url: '/secure/both', headers: { ...KEY, cookie: 'sid=s' } })).status).toBe(200);
  });

  it('checks http basic and bearer presence and challenges with WWW-Authenticate', async () => {
    const none = await send(app, '/secure/http');
    expect(none.status).toBe(401);
    expect(none.header('www-authenticate')).toBe('Basic realm="api", charset="UTF-8", Bearer');
    const basic = await send(app, { url: '/secure/http', headers: { authorization: 'Basic dTpw' } });
    expect(basic.json<Reply>().security).toEqual({ Basic: 'dTpw' });
    const bearer = await send(app, { url: '/secure/http', headers: { authorization: 'bearer abc' } });
    expect(bearer.json<Reply>().security).toEqual({ Bearer: 'abc' });
    expect((await send(app, { url: '/secure/http', headers: { authorization: 'Bearer' } })).status).toBe(401);
    expect((await send(app, { url: '/secure/http', headers: { authorization: 'Digest x=1' } })).status).toBe(401);
  });

  it('applies the document-wide security, which `security: []` turns off', async () => {
    expect((await send(app, '/default-secure')).status).toBe(401);
    expect((await send(app, { url: '/default-secure', headers: KEY })).status).toBe(200);
    expect((await send(app, '/secure/open')).status).toBe(200);
  });

  it('checks credentials before parameters: no data leaks to the unauthenticated', async () => {
    expect((await send(app, '/search?limit=nope')).status).toBe(401);
  });
});

describe('@poor/openapi error format and modes', () => {
  it('an errorHandler(400) of the app reshapes the answer and gets the issues', async () => {
    const app = fixtureApp();
    app.errorHandler(
      400,
      (_req, extra) => new JSONResponse({ problems: (extra.errors as unknown[]).length }, { status: 422 }),
    );
    const reply = await app.inject({ url: '/search?limit=0', headers: KEY });
    expect(reply.status).toBe(422);
    expect(reply.json()).toEqual({ problems: 1 });
  });

  it('strict: a route the document lacks is a 404, a method it lacks a 405', async () => {
    const app = fixtureApp({ strict: true });
    expect((await app.inject({ url: '/undescribed', headers: KEY })).status).toBe(404);
    const post = await app.inject({ method: 'POST', url: '/search?limit=1', headers: KEY });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET');
    expect((await app.inject({ method: 'OPTIONS', url: '/search' })).status).toBe(204);
  });

  it('honours the base path of servers[].url', async () => {
    const app = fixtureApp({ base: '/api/v1' });
    expect((await app.inject({ url: '/api/v1/search?limit=7', headers: KEY })).json<Reply>().query).toEqual({
      limit: 7,
    });
    expect((await app.inject({ url: '/api/v1/search', headers: KEY })).status).toBe(400);
  });

  it('validates a websocket upgrade like any request (a before hook of the app)', async () => {
    const { websockets } = await import('@poor/ws');
    const app = new Application('openapi-ws', { logger: false });
    const ws = websockets();
    app.use(ws).use(openapi(document30()));
    ws.route('/search', (socket) => socket.close());
    const { port } = await app.listen({ port: 0 });
    try {
      const { WebSocket } = await import('ws');
      const status = await new Promise<number>((resolve) => {
        const client = new WebSocket(`ws://127.0.0.1:${port}/search?limit=0`, { headers: KEY });
        client.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        client.on('open', () => resolve(101));
        client.on('error', () => undefined);
      });
      expect(status).toBe(400);
    } finally {
      await app.close();
    }
  });
});

describe('@poor/openapi response validation', () => {
  function responsesApp(debug: boolean, logger = recordingLogger()): Application {
    const app = new Application('openapi-responses', { logger, debug });
    app.use(openapi(document30(), { validateResponses: true }));
    let answer: () => unknown = () => ({ n: 1 });
    app.route('/described', () => answer());
    app.route('/answer', (req) => {
      const kind = req.args.getFirst('kind');
      answer =
        kind === 'bad'
          ? () => ({ n: 'one' })
          : kind === 'status'
            ? () => new JSONResponse({ n: 1 }, { status: 201 })
            : kind === 'type'
              ? () => '<p>html</p>'
              : kind === 'stream'
                ? () =>
                    new StreamResponse(Readable.from([Buffer.from('{"n":"x"}')]), { contentType: 'application/json' })
                : kind === 'error'
                  ? () => new Response('teapot', { status: 418, headers: { 'content-type': 'text/plain' } })
                  : () => ({ n: 1 });
      return 'set';
    });
    return app;
  }

  it('in debug mode a violation is a 500 naming the pointer, and logged', async () => {
    const logger = recordingLogger();
    const app = responsesApp(true, logger);
    const headers = KEY;
    expect((await app.inject({ url: '/described', headers })).status).toBe(200);
    for (const [kind, message] of [
      ['bad', 'the body at /n must be integer'],
      ['status', 'status 201 is not declared'],
      ['type', 'content type text/html is not declared (application/json)'],
    ] as const) {
      await app.inject(`/answer?kind=${kind}`);
      const reply = await app.inject({ url: '/described', headers });
      expect(reply.status).toBe(500);
      expect(reply.json<Problem>().errors[0]?.message).toBe(message);
    }
    const errors = logger.lines.filter((line) => line.level === 'error');
    expect(errors).toHaveLength(3);
    expect(errors[0]?.text).toContain('#/paths/~1described/get/responses/200/content/application~1json/schema');
  });

  it('outside debug mode the response goes out as it is, and is logged', async () => {
    const logger = recordingLogger();
    const app = responsesApp(false, logger);
    await app.inject('/answer?kind=bad');
    const reply = await app.inject({ url: '/described', headers: KEY });
    expect(reply.status).toBe(200);
    expect(reply.json()).toEqual({ n: 'one' });
    expect(logger.lines.filter((line) => line.level === 'error')).toHaveLength(1);
  });

  it('matches status ranges, and skips streamed bodies, logging that once', async () => {
    const logger = recordingLogger();
    const app = responsesApp(true, logger);
    await app.inject('/answer?kind=error');
    expect((await app.inject({ url: '/described', headers: KEY })).status).toBe(418);
    await app.inject('/answer?kind=stream');
    for (let index = 0; index < 3; index += 1) {
      expect((await app.inject({ url: '/described', headers: KEY })).status).toBe(200);
    }
    expect(logger.lines.filter((line) => line.text.includes('streamed'))).toHaveLength(1);
  });

  it('does not validate the answer to a request that failed validation', async () => {
    const app = responsesApp(true);
    const reply = await app.inject('/described');
    expect(reply.status).toBe(401);
  });
});
