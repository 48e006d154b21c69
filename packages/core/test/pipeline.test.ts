// Regressions of issue 8: bugs that came from the shape of the pipeline. Each test failed
// before the structure changed.
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { Application, HTTPException, StreamResponse } from '../src/index.js';
import { runRequests } from './helpers/python.js';
import { rawExchange, recordingLogger, useCleanup } from './helpers/transports.js';

const { listening, tempDir } = useCleanup();

describe('a malformed path (bug 1)', () => {
  it('is a 400 before routing, and hooks reading req.path see the raw path', async () => {
    const logger = recordingLogger();
    const seen: string[] = [];
    const app = new Application('bad-path', { logger });
    app.route('/test/<name>', (_req, name) => name);
    app.before((req) => void seen.push(`before ${req.path}`));
    app.after((req, response) => {
      seen.push(`after ${req.path} ${response.status}`);
      return response;
    });
    const port = await listening(app);
    for (const path of ['/%zz', '/%', '/%c3%28', '/test/%zz']) {
      const reply = await rawExchange(port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expect([path, reply.split('\r\n')[0]]).toEqual([path, 'HTTP/1.1 400 Bad Request']);
      expect(reply).toContain('malformed percent-encoding in the path');
    }
    expect(seen).toEqual(['after /%zz 400', 'after /% 400', 'after /%c3%28 400', 'after /test/%zz 400']);
    expect(logger.lines.filter((line) => line.level === 'error')).toEqual([]);
  });
});

describe('body parsing after the before hooks (bug 3)', () => {
  const json = { url: '/echo', method: 'POST', body: { a: 1 } };

  it('hooks see an unparsed body for routes and the default handler alike; parseBody() fills it once', async () => {
    const seen: unknown[] = [];
    const app = new Application('order', { logger: false });
    app.route('/echo', (req) => ({ handler: req.json }), ['POST']);
    app.defaultHandler((req) => ({ fallback: req.json }), ['POST']);
    app.before((req) => void seen.push(req.json));
    expect((await app.inject(json)).json()).toEqual({ handler: { a: 1 } });
    expect((await app.inject({ ...json, url: '/other' })).json()).toEqual({ fallback: { a: 1 } });
    expect(seen).toEqual([undefined, undefined]);

    const csrf = new Application('csrf', { logger: false });
    csrf.route('/form', (req) => `token ${String(req.form.getFirst('token'))}`, ['POST']);
    csrf.before(async (req) => {
      await req.parseBody();
      if (req.form.getFirst('token') !== 'ok') throw new HTTPException(403);
    });
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    expect((await csrf.inject({ url: '/form', method: 'POST', body: 'token=ok', headers: form })).text()).toBe(
      'token ok',
    );
    expect((await csrf.inject({ url: '/form', method: 'POST', body: 'token=no', headers: form })).status).toBe(403);
  });

  it('a hook refusing a 1 GiB upload answers at once, stores nothing and reads little', async () => {
    const uploadDir = tempDir();
    const app = new Application('refuse', { logger: false, uploadDir });
    app.route('/upload', (req) => `stored ${req.form.size}`, ['POST']);
    app.before((req) => {
      if (req.raw.headers.authorization !== 'Bearer ok') throw new HTTPException(401);
    });
    const port = await listening(app);
    const boundary = 'poorboundary';
    const size = 2 ** 30;
    const head =
      `POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\n` +
      `Content-Length: ${size}\r\n\r\n--${boundary}\r\nContent-Disposition: form-data; name="f"; filename="big"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n';
    const rssBefore = process.memoryUsage().rss;
    const { answer, sent } = await new Promise<{ answer: string; sent: number }>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      const chunk = Buffer.alloc(64 * 1024, 120);
      let sentBytes = 0;
      let answerText = '';
      let stop = false;
      const pump = (): void => {
        while (!stop && sentBytes < size) {
          sentBytes += chunk.length;
          if (!socket.write(chunk)) return void socket.once('drain', pump);
        }
      };
      socket.on('connect', () => {
        socket.write(head);
        pump();
      });
      socket.setEncoding('latin1');
      socket.on('data', (text: string) => {
        answerText += text;
        if (answerText.includes('\r\n\r\n')) {
          stop = true;
          socket.destroy();
          resolve({ answer: answerText, sent: sentBytes });
        }
      });
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 401 Unauthorized\r\n/);
    expect(answer).toContain('Connection: close');
    expect(sent).toBeLessThan(size / 8); // answered long before the body could have been read
    expect(readdirSync(uploadDir)).toEqual([]);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * 2 ** 20);
  });
});

describe('an early answer to a body still arriving (bug 5)', () => {
  it("reaches Python's requests, which writes its whole body before reading (413 and a hook's 401)", async (context) => {
    const app = new Application('linger', { logger: false, limits: { body: 1024 * 1024, fileSize: 1024 * 1024 } });
    app.route('/json', () => 'parsed', ['POST']);
    app.route('/upload', () => 'stored', ['POST']);
    app.route('/guarded', () => 'in', ['POST']);
    app.before((req) => {
      if (req.path === '/guarded') throw new HTTPException(401);
    });
    const port = await listening(app);
    const out = await runRequests(
      context,
      `
base = 'http://127.0.0.1:${port}'
big = b'x' * (20 * 2**20)
for name, call in (
    ('json', lambda: requests.post(base + '/json', data=b'"' + big + b'"', headers={'content-type': 'application/json'})),
    ('upload', lambda: requests.post(base + '/upload', files={'f': ('a.bin', big, 'application/octet-stream')})),
    ('guarded', lambda: requests.post(base + '/guarded', data=big)),
):
    try:
        r = call()
        print(name, r.status_code, r.headers.get('connection'))
    except Exception as error:
        print(name, 'error', type(error).__name__)
`,
    );
    expect(out.trim().split('\n')).toEqual(['json 413 close', 'upload 413 close', 'guarded 401 close']);
  });
});

describe('methods (bug 4)', () => {
  it('CONNECT gets an HTTP answer (501) instead of a dropped socket', async () => {
    const app = new Application('connect', { logger: false });
    app.route('/', () => 'home');
    const port = await listening(app);
    const reply = await rawExchange(port, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
    expect(reply).toMatch(/^HTTP\/1\.1 501 Not Implemented\r\n/);
    expect(reply).toContain('Connection: close');
    // the server goes on serving
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('home');
  });
});

describe('the built-in routes are ordinary routes', () => {
  it('OPTIONS * answers 204 with the server methods; a route of yours for /debug-info wins', async () => {
    const app = new Application('builtin', { debug: true, logger: false });
    app.route('/debug-info', () => 'mine');
    const port = await listening(app);
    const reply = await rawExchange(port, 'OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(reply).toMatch(/^HTTP\/1\.1 204 No Content\r\n/);
    expect(reply).toContain('Allow: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS');
    expect(await (await fetch(`http://127.0.0.1:${port}/debug-info`)).text()).toBe('mine');
    const plain = new Application('builtin-debug', { debug: true, logger: false });
    expect((await plain.inject('/debug-info')).text()).toContain('Poor Debug Info');
    expect((await plain.inject({ url: '/debug-info', method: 'POST' })).status).toBe(405);
  });
});

describe('found by the bad-input corpus', () => {
  const exchange = (port: number, raw: string, halfClose: boolean): Promise<string> =>
    new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      let out = '';
      socket.on('data', (chunk: Buffer) => (out += chunk.toString('latin1')));
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(out));
      socket.write(raw, () => {
        if (halfClose) socket.end();
      });
      setTimeout(() => socket.destroy(), 3000);
    });

  it('answers a client that half-closes right after its request, when the handler takes a while', async () => {
    const app = new Application('half-close', { logger: false });
    app.route('/slow', async () => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      return 'late but here';
    });
    const { port } = await app.listen({ port: 0 });
    try {
      const out = await exchange(port, 'GET /slow HTTP/1.1\r\nHost: x\r\n\r\n', true);
      expect(out).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(out).toContain('late but here');
    } finally {
      await app.close();
    }
  });

  it('answers 400 to a Transfer-Encoding that does not end with chunked, body in the same packet or later', async () => {
    const app = new Application('framing', { logger: false });
    app.route('/in', () => 'taken', 'POST');
    const { port } = await app.listen({ port: 0 });
    try {
      for (const coding of ['gzip', 'xchunked', 'chunked, gzip']) {
        const out = await exchange(
          port,
          `POST /in HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: ${coding}\r\n\r\nbody`,
          false,
        );
        expect(out, coding).toMatch(/^HTTP\/1\.1 400 /);
      }
      const out = await exchange(port, 'POST /in HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n', false);
      expect(out).toMatch(/^HTTP\/1\.1 400 /);
    } finally {
      await app.close();
    }
  });
});

describe('responseTimeout: a handler that never answers', () => {
  it('gets a 503 with Connection: close in time, the socket is freed, a late answer is dropped quietly', async () => {
    const log = recordingLogger();
    const app = new Application('timeout', { logger: log, responseTimeout: 200 });
    const late = Readable.from(['too late']);
    app.route('/never', () => new Promise(() => undefined));
    app.route('/late', async () => {
      await new Promise((resolve) => setTimeout(resolve, 400));
      return new StreamResponse(late);
    });
    app.route('/fast', () => 'in time');
    const { port } = await app.listen({ port: 0 });
    try {
      const never = await fetch(`http://127.0.0.1:${port}/never`);
      expect(never.status).toBe(503);
      expect(never.headers.get('connection')).toBe('close');
      expect(never.headers.get('retry-after')).toBe('5');
      const released = once(late, 'close');
      expect((await fetch(`http://127.0.0.1:${port}/late`)).status).toBe(503);
      // The late answer's body is released unread once the handler returns it.
      await released;
      expect(late.destroyed).toBe(true);
      expect(await (await fetch(`http://127.0.0.1:${port}/fast`)).text()).toBe('in time');
      const errors = log.lines.filter((line) => line.level === 'error').map((line) => line.text);
      expect(errors).toHaveLength(2);
      expect(errors.every((text) => /did not answer within 200 ms; sent 503/.test(text))).toBe(true);
      const connections = await new Promise<number>((resolve) => app.server?.getConnections((_e, n) => resolve(n)));
      expect(connections).toBeLessThanOrEqual(1);
    } finally {
      await app.close();
    }
  });
});
