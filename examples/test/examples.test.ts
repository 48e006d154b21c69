import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { closeServer, describeBoth } from '../../packages/core/test/helpers/transports.js';
import { app as metrics } from '../metrics.js';
import { app as responseClosed } from '../response-closed.js';
import { app as simpleJson } from '../simple-json.js';
import { app as simple } from '../simple.js';
import { app as websocketExample } from '../websocket.js';

for (const app of [simple, simpleJson, metrics, responseClosed]) {
  app.logger = { error() {}, warn() {}, info() {}, debug() {} };
}

describeBoth('examples/simple.ts URL contract', (send) => {
  afterAll(() => closeServer(simple as never));
  const app = simple as never;

  it('GET / is the index with an absolute first link', async () => {
    const reply = await send(app, { url: '/', headers: { host: 'example.org:8080' } });
    expect(reply.status).toBe(200);
    expect(reply.header('content-type')).toBe('text/html; charset=utf-8');
    expect(reply.header('x-powered-by')).toBe('Poor');
    expect(reply.text()).toContain('Simple.ts - Index');
    expect(reply.text()).toContain('href="http://example.org:8080/"');
  });

  it('serves the favicon and the stylesheet', async () => {
    const icon = await send(app, '/favicon.ico');
    expect(icon.header('content-type')).toBe('image/vnd.microsoft.icon');
    expect(icon.body.length).toBe(1150);
    expect((await send(app, '/style.css')).header('content-type')).toBe('text/css');
  });

  it('serves the working directory with listings, as upstream does', async () => {
    const readme = await send(app, '/README.md');
    expect(readme.status).toBe(200);
    expect(readme.header('content-type')).toBe('text/markdown; charset=utf-8');
    expect(readme.text()).toContain('npm install && npm start');
    const docs = await send(app, '/docs/');
    expect(docs.status).toBe(200);
    expect(docs.text()).toContain('Index of /docs/');
    expect(docs.text()).toContain('href="routing.md"');
    expect((await send(app, '/docs')).header('location')).toBe('/docs/');
    expect((await send(app, '/.git/config')).status).toBe(404);
    expect((await send(app, '/../etc/passwd')).status).toBe(400);
  });

  it('/test/static carries ETag W/"0123" and answers 304 to it', async () => {
    const reply = await send(app, '/test/static');
    expect(reply.header('etag')).toBe('W/"0123"');
    expect((await send(app, { url: '/test/static', headers: { etag: 'W/"0123"' } })).status).toBe(304);
    expect((await send(app, { url: '/test/static', headers: { 'if-none-match': 'W/"0123"' } })).status).toBe(304);
  });

  it.each([
    [
      '/test/3E4666BF-D5E5-4AA7-B8CE-CEFE41C7568A',
      '/test/&#60;variable:uuid&#62;',
      '3e4666bf-d5e5-4aa7-b8ce-cefe41c7568a',
    ],
    ['/test/-5', '/test/&#60;variable:int&#62;', '-5'],
    ['/test/3.14', '/test/&#60;variable:float&#62;', '3.14'],
    ['/test/word', '/test/&#60;variable:word&#62;', 'word'],
    ['/test/user@example.net', '/test/&#60;variable:email&#62;', 'user@example.net'],
  ])('%s matches %s', async (url, rule, value) => {
    const text = (await send(app, url)).text();
    expect(text).toContain(rule);
    expect(text).toContain(value);
  });

  it('three variables, then the regular-expression catch-all', async () => {
    expect((await send(app, '/test/a/b/c')).text()).toContain('variable2');
    const catchAll = (await send(app, '/test/a/b')).text();
    expect(catchAll).toContain('/test/&#60;variable:re:.*&#62;');
    expect(catchAll).toContain('a/b');
  });

  it('/test/empty is a 204 that keeps its header', async () => {
    const reply = await send(app, '/test/empty');
    expect(reply.status).toBe(204);
    expect(reply.header('super-header')).toBe('SuperValue');
  });

  it('/test/partial/generator answers ranges', async () => {
    const full = await send(app, '/test/partial/generator');
    expect(full.header('content-length')).toBe('70');
    expect(full.header('accept-ranges')).toBe('bytes');
    const first = await send(app, { url: '/test/partial/generator', headers: { range: 'bytes=0-14' } });
    expect(first.status).toBe(206);
    expect(first.header('content-range')).toBe('bytes 0-14/70');
    expect(first.text()).toBe('line 0\nline 1\nl');
    const suffix = await send(app, { url: '/test/partial/generator', headers: { range: 'bytes=-15' } });
    expect(suffix.header('content-range')).toBe('bytes 55-69/70');
    expect(suffix.text()).toBe('\nline 8\nline 9\n');
  });

  it('/test/partial/empty: 200 without Range, 416 with one', async () => {
    expect((await send(app, '/test/partial/empty')).status).toBe(200);
    const reply = await send(app, { url: '/test/partial/empty', headers: { range: 'bytes=0-99' } });
    expect(reply.status).toBe(416);
    expect(reply.header('content-range')).toBe('bytes */0');
  });

  it('/test/partial/unicodes answers a custom range unit', async () => {
    const reply = await send(app, { url: '/test/partial/unicodes', headers: { range: 'unicodes=0-9' } });
    expect(reply.status).toBe(206);
    expect(reply.header('content-range')).toBe('unicodes 0-9/*');
    expect([...reply.text()]).toHaveLength(10);
    expect(reply.body.length).toBe(20);
  });

  it('/yield streams ten lines', async () => {
    const reply = await send(app, '/yield');
    expect(reply.header('content-length')).toBeUndefined();
    expect(reply.text()).toBe(Array.from({ length: 10 }, (_, index) => `line ${index}\n`).join(''));
  });

  it('/simple and /simple.ts serve the example source', async () => {
    const source = readFileSync(new URL('../simple.ts', import.meta.url));
    const stream = await send(app, '/simple');
    expect(stream.header('content-type')).toBe('application/octet-stream');
    expect(stream.header('content-length')).toBe(String(source.length));
    const file = await send(app, '/simple.ts');
    expect(createHash('sha256').update(file.body).digest('hex')).toBe(
      createHash('sha256').update(source).digest('hex'),
    );
    const etag = file.header('etag') as string;
    expect((await send(app, { url: '/simple.ts', headers: { 'if-none-match': etag } })).status).toBe(304);
    expect((await send(app, { url: '/simple.ts', headers: { 'if-modified-since': 'garbage' } })).status).toBe(200);
  });

  it('error routes', async () => {
    expect((await send(app, '/none')).status).toBe(204);
    expect((await send(app, '/bad-request')).status).toBe(400);
    expect((await send(app, '/forbidden')).status).toBe(403);
    expect((await send(app, '/not-modified')).status).toBe(304);
    expect((await send(app, '/not-implemented')).status).toBe(501);
    const crash = await send(app, '/internal-server-error');
    expect(crash.status).toBe(500);
    expect(crash.text()).toContain('Some error');
  });

  it('a custom, escaped 404 page', async () => {
    const reply = await send(app, '/%3Cb%3Enope');
    expect(reply.status).toBe(404);
    expect(reply.text()).toContain('&#60;b&#62;nope');
    expect(reply.text()).not.toContain('<b>nope');
  });

  it('/test/form shows query arguments and form fields (urlencoded and multipart)', async () => {
    const get = (await send(app, '/test/form?gname=Ond%C5%99ej&gx=1&gx=2')).text();
    expect(get).toContain('gname=Ondřej, gx=1');
    expect(get).toContain('gx=[1,2]');
    const urlencoded = await send(app, {
      url: '/test/form?gname=arg',
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'pname=T%C5%AFma&px=3&px=4',
    });
    expect(urlencoded.text()).toContain('pname=Tůma, px=3');
    expect(urlencoded.text()).toContain('px=[3,4]');
    const boundary = 'BOUNDARY';
    const multipart = `--${boundary}\r\nContent-Disposition: form-data; name="pname"\r\n\r\nmulti\r\n--${boundary}--\r\n`;
    const reply = await send(app, {
      url: '/test/form',
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      body: multipart,
    });
    expect(reply.text()).toContain('pname=multi');
  });

  it('/test/upload stores files with its custom storage, shows them, removes them', async () => {
    const boundary = 'UP';
    const body =
      `--${boundary}\r\nContent-Disposition: form-data; name="file_0"; filename="../../hello.txt"\r\nContent-Type: text/plain\r\n\r\n<hello & welcome>\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file_1"; filename="bin.dat"\r\nContent-Type: application/octet-stream\r\n\r\n\u0001\u0002\r\n--${boundary}--\r\n`;
    const reply = await send(app, {
      url: '/test/upload',
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      body,
    });
    expect(reply.status).toBe(200);
    const text = reply.text();
    expect(text).toContain('<h2>../../hello.txt</h2>');
    expect(text).toContain('&#60;hello &#38; welcome&#62;');
    expect(text).toContain(Buffer.from([1, 2]).toString('base64'));
    const left = existsSync('upload') ? readdirSync('upload') : [];
    expect(left.filter((name) => name.endsWith('hello.txt') || name.endsWith('bin.dat'))).toEqual([]);
  });

  it('POST /yield reads a chunked body 0, 1, 2 … (400 when the sequence is wrong)', async () => {
    // Node's client encodes the body as chunks itself when Transfer-Encoding: chunked is set.
    const chunked = (pieces: string[]): string => pieces.join('');
    const good = await send(app, {
      url: '/yield',
      method: 'POST',
      headers: { 'transfer-encoding': 'chunked' },
      body: chunked(['0', '1', '2', '3', '4']),
    });
    expect(good.status).toBe(200);
    expect(good.body.length).toBe(0);
    const bad = await send(app, {
      url: '/yield',
      method: 'POST',
      headers: { 'transfer-encoding': 'chunked' },
      body: chunked(['0', '2']),
    });
    expect(bad.status).toBe(400);
  });

  it('/debug-info is on', async () => {
    expect((await send(app, '/debug-info')).text()).toContain('Poor Debug Info');
  });
});

describeBoth('examples/simple-json.ts URL contract', (send) => {
  afterAll(() => closeServer(simpleJson as never));
  const app = simpleJson as never;

  it('/test/json answers 418 and echoes a JSON body', async () => {
    const get = await send(app, '/test/json');
    expect(get.status).toBe(418);
    expect(get.header('content-type')).toBe('application/json; charset=utf-8');
    expect(get.json()).toEqual({ message: "I'm teapot :-)", numbers: [0, 1, 2, 3, 4], request: {} });
    const post = await send(app, { url: '/test/json', method: 'POST', body: { čeština: ['ěšč', 1] } });
    expect(post.json()).toMatchObject({ request: { čeština: ['ěšč', 1] } });
    const bad = await send(app, {
      url: '/test/json',
      method: 'POST',
      body: '{"broken"',
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.status).toBe(400);
    expect(bad.text()).toContain('invalid JSON body');
    expect((await send(app, { url: '/test/json', method: 'PUT' })).status).toBe(405);
  });

  it('/test/json-generator streams without Content-Length', async () => {
    const reply = await send(app, '/test/json-generator');
    expect(reply.status).toBe(418);
    expect(reply.header('content-length')).toBeUndefined();
    expect(reply.json()).toEqual({ message: "I'm teapot :-)", numbers: [0, 1, 2, 3, 4], request: {} });
  });

  it('/unicode is exact UTF-8 with its byte length', async () => {
    const reply = await send(app, '/unicode');
    expect(reply.text()).toBe('{"name":"Ondřej Tůma"}');
    expect(reply.header('content-length')).toBe(String(Buffer.byteLength('{"name":"Ondřej Tůma"}')));
  });

  it('/dict, /list, /timestamp, /profile', async () => {
    expect((await send(app, '/dict')).json()).toEqual({ route: '/dict', type: 'dict' });
    expect((await send(app, '/list')).json()).toEqual([
      ['key', 'value'],
      ['route', '/list'],
      ['type', 'list'],
    ]);
    const { timestamp } = (await send(app, '/timestamp')).json<{ timestamp: number }>();
    expect(Math.abs(timestamp - Date.now() / 1000)).toBeLessThan(5);
    expect((await send(app, '/profile')).json()).toHaveProperty('PROFILE');
  });

  it('/test/headers reports negotiation', async () => {
    const reply = await send(app, {
      url: '/test/headers',
      headers: { 'x-requested-with': 'XMLHttpRequest', accept: 'text/html,text/xhtml,application/json' },
    });
    expect(reply.header('content-type')).toBe('application/json');
    expect(reply.json()).toMatchObject({
      'Content-Length': -1,
      'Accept-MimeType': { html: true, xhtml: true, json: true },
      XMLHttpRequest: true,
    });
  });
});

describe('examples/metrics.ts URL contract', () => {
  it('counts the responses finished before /metrics, errors included', async () => {
    const first = (await metrics.inject('/metrics')).json<Record<string, unknown>>();
    expect(first).toEqual({ requests: 0, avg_time: 0, best_time: null, worst_time: 0 });
    expect((await metrics.inject('/')).text()).toBe('Hello World');
    expect((await metrics.inject('/')).headers['content-type']).toBe('text/plain');
    expect((await metrics.inject('/missing')).status).toBe(404);
    const bad = await metrics.inject({
      url: '/json',
      method: 'POST',
      body: '\0',
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.status).toBe(400);
    const teapot = await metrics.inject({ url: '/json', method: 'POST', body: { a: 1 } });
    expect(teapot.status).toBe(418);
    expect(teapot.json()).toEqual({ message: "I'm teapot :-)", request: { a: 1 } });
    const after = (await metrics.inject('/metrics')).json<Record<string, number>>();
    expect(after.requests).toBe(6);
    expect(after.best_time).toBeGreaterThanOrEqual(0);
  });
});

describe('examples/response-closed.ts URL contract', () => {
  it('both routes answer 200 "Test data" with Content-Length 9', async () => {
    for (const url of ['/test', '/test-after-response']) {
      const reply = await responseClosed.inject(url);
      expect(reply.status).toBe(200);
      expect(reply.text()).toBe('Test data');
      expect(reply.headers['content-length']).toBe('9');
    }
  });
});

describe('examples/websocket.ts URL contract', () => {
  afterAll(() => websocketExample.close());

  it('answers the handshake with 101, greets with Hello, and echoes in bold', async () => {
    const { port } = await websocketExample.listen({ port: 0 });
    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('/ws');
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write(
      'GET /ws HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
    const [head] = (await once(socket, 'data')) as [Buffer];
    expect(head.toString('latin1')).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
    socket.destroy();
    const client = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    const messages: string[] = [];
    client.on('message', (data: Buffer) => messages.push(data.toString()));
    await once(client, 'open');
    while (messages.length < 1) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(messages[0]).toMatch(/Hello$/);
    client.send('Test');
    while (messages.length < 3) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(messages[1]).toMatch(/<b>Test<\/b>$/);
    client.close();
    await once(client, 'close');
  });
});
