// Logging: pino as the logger (structured fields, not preformatted strings), the default
// console logger, the opt-in access log, and no per-request line above debug for a client's
// mistake.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Application, FileResponse, HTTPException } from '../src/index.js';
import { rawExchange, useCleanup } from './helpers/transports.js';

interface PinoLine {
  level: number;
  msg: string;
  err?: { type: string; message: string; stack: string };
  req?: { id: string; method: string; url: string; route?: string };
  res?: { statusCode: number };
  responseTime?: number;
}

/** A pino logger writing JSON lines into an array. */
function pinoLines(level = 'debug'): { lines: PinoLine[]; logger: ReturnType<typeof pino> } {
  const lines: PinoLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as PinoLine);
      callback();
    },
  });
  return { lines, logger: pino({ level }, sink) };
}

/** Lets pino's synchronous writes and the response's `close` event settle. */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

const cleanup = useCleanup();

afterEach(() => {
  vi.restoreAllMocks();
});

describe('a pino instance as the logger', () => {
  it('gets a crash as structured fields: err with its stack, req with method, url and route', async () => {
    const { lines, logger } = pinoLines();
    const app = new Application('pino', { logger });
    app.route('/boom/<id:int>', () => {
      throw new Error('kaboom');
    });
    expect((await app.inject('/boom/7?x=1')).status).toBe(500);
    await settle();
    const line = lines.find((item) => item.level === 50);
    expect(line?.msg).toMatch(/^Poor: handler .* for GET \/boom\/7\?x=1 \[\/boom\/<id:int>\] failed$/);
    expect(line?.err?.message).toBe('kaboom');
    expect(line?.err?.stack).toContain('logging.test.ts');
    expect(line?.req).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      method: 'GET',
      url: '/boom/7?x=1',
      route: '/boom/<id:int>',
    });
  });

  it('names the request id in every line: X-Request-Id from a trusted proxy, else a UUID', async () => {
    const { lines, logger } = pinoLines();
    const app = (trustProxy: boolean) => {
      const built = new Application('ids', { logger, trustProxy, accessLog: true });
      built.route('/boom', (req) => {
        if (req.query === 'crash=1') throw new Error('kaboom');
        return req.id;
      });
      return built;
    };
    const trusted = app(true);
    const headers = { 'x-request-id': 'edge-42' };
    expect((await trusted.inject({ url: '/boom', headers })).text()).toBe('edge-42');
    expect((await trusted.inject({ url: '/boom?crash=1', headers })).status).toBe(500);
    // a client is not a trusted proxy: its header is ignored
    const direct = app(false);
    const own = (await direct.inject({ url: '/boom', headers })).text();
    expect(own).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    // not visible ASCII: replaced
    expect((await trusted.inject({ url: '/boom', headers: { 'x-request-id': 'a b' } })).text()).not.toBe('a b');
    await settle();
    const ids = lines.map((item) => (item.req as { id?: string } | undefined)?.id);
    expect(ids.filter((id) => id === 'edge-42')).toHaveLength(3); // access line, crash line, access line
    expect(ids).toContain(own);
  });

  it('logs no line at info or above for 404, 405, 400, 413 and 501 answers, over a real socket', async () => {
    const { lines, logger } = pinoLines('debug');
    const app = new Application('quiet', { logger, limits: { body: 10 } });
    app.route('/only-get', () => 'x');
    app.route('/upload', (req) => req.json, 'POST');
    app.route('/refuse', () => {
      throw new HTTPException(403);
    });
    const port = await cleanup.listening(app);
    const base = `http://127.0.0.1:${port}`;
    const statuses = [
      (await fetch(`${base}/missing`)).status,
      (await fetch(`${base}/only-get`, { method: 'DELETE' })).status,
      (await fetch(`${base}/refuse`)).status,
      (
        await fetch(`${base}/upload`, {
          method: 'POST',
          body: '{"far too long": true}',
          headers: { 'content-type': 'application/json' },
        })
      ).status,
      (await fetch(`${base}/upload`, { method: 'POST', body: '{', headers: { 'content-type': 'application/json' } }))
        .status,
    ];
    expect(statuses).toEqual([404, 405, 403, 413, 400]);
    expect(await rawExchange(port, 'GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n', { until: /\r\n\r\n/ })).toMatch(
      /^HTTP\/1.1 400/,
    );
    expect(await rawExchange(port, 'PROPFIND / HTTP/1.1\r\nHost: x\r\n\r\n', { until: /\r\n\r\n/ })).toMatch(
      /^HTTP\/1.1 501/,
    );
    await settle();
    expect(lines.filter((line) => line.level >= 30)).toEqual([]);
    // The 404 is there at debug, with its request as fields.
    expect(lines.find((line) => line.msg.startsWith('Poor: 404'))?.req).toMatchObject({
      method: 'GET',
      url: '/missing',
    });
  });

  it('the access log (opt-in) writes one info line per request: req, res.statusCode, responseTime', async () => {
    const { lines, logger } = pinoLines('info');
    const app = new Application('access', { logger, accessLog: true });
    app.route('/hello', () => 'hi');
    const port = await cleanup.listening(app);
    await fetch(`http://127.0.0.1:${port}/hello?q=1`).then((reply) => reply.text());
    await fetch(`http://127.0.0.1:${port}/nope`).then((reply) => reply.text());
    await settle();
    const access = lines.filter((line) => line.res !== undefined);
    expect(access.map((line) => [line.level, line.req?.method, line.req?.url, line.res?.statusCode])).toEqual([
      [30, 'GET', '/hello?q=1', 200],
      [30, 'GET', '/nope', 404],
    ]);
    expect(access[0]?.msg).toMatch(/ GET \/hello\?q=1 200 \d+\.\d ms$/);
    expect(typeof access[0]?.responseTime).toBe('number');
  });

  it('access log lines carry the time and the request id; a file answered through inject() is not "closed early"', async () => {
    const { lines, logger } = pinoLines('info');
    const dir = cleanup.tempDir();
    writeFileSync(join(dir, 'a.txt'), 'x'.repeat(100_000));
    const app = new Application('access-file', { logger, accessLog: true });
    app.route('/file', () => new FileResponse(join(dir, 'a.txt')));
    await app.inject({ url: '/file', headers: {} });
    await settle();
    const [line] = lines.filter((entry) => entry.res !== undefined);
    expect(line?.msg).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z [\w-]{36} GET \/file 200 \d+\.\d ms$/);
    expect(line?.msg).toContain(String(line?.req?.id));
  });

  it('lists the routes at debug level when the app gets ready, and app.routes() gives them', async () => {
    const { lines, logger } = pinoLines('debug');
    const app = new Application('listed', { logger });
    app.route('/hello', () => 'hi', ['GET', 'POST']);
    app.route('/user/<id:int>', () => 'user');
    await app.ready();
    expect(app.routes()).toEqual(['GET /hello', 'POST /hello', 'OPTIONS *', 'GET /user/<id:int>']);
    expect(lines.map((line) => line.msg)).toContain(
      'Poor: listed serves GET /hello, POST /hello, OPTIONS *, GET /user/<id:int>',
    );
  });

  it('the access log is off by default', async () => {
    const { lines, logger } = pinoLines('debug');
    const app = new Application('no-access', { logger });
    app.route('/hello', () => 'hi');
    await app.inject('/hello');
    await settle();
    expect(lines.filter((line) => line.res !== undefined)).toEqual([]);
  });
});

describe('the default console logger', () => {
  it('prints a crash as its message, then the error with its stack', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const app = new Application('console');
    app.route('/boom', () => {
      throw new Error('kaboom');
    });
    await app.inject('/boom');
    expect(error).toHaveBeenCalledTimes(1);
    const [message, err] = error.mock.calls[0] as [string, Error];
    expect(message).toMatch(/^Poor: handler .* for GET \/boom \[\/boom\] failed$/);
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toBe('kaboom');
  });

  it('`logger: console` shows debug lines too, formatted the same way', async () => {
    const debug = vi.spyOn(console, 'debug').mockImplementation(() => {});
    const app = new Application('console-debug', { logger: console });
    await app.inject('/missing');
    expect(debug).toHaveBeenCalledWith('Poor: 404 Not Found: GET /missing');
  });
});
