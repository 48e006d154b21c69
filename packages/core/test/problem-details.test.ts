// Issue 27, item 4: one error format for APIs. Every built-in error answers RFC 9457 problem
// details (application/problem+json) when the client prefers JSON or the app chooses JSON
// errors, an HTML page otherwise; debug mode adds the detail of a 500; status handlers win.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import {
  Application,
  basic,
  FileResponse,
  HTTPException,
  ProblemResponse,
  rateLimit,
  Response,
  type ApplicationOptions,
  type RateLimitStore,
} from '../src/index.js';
import {
  closeServer,
  describeBoth,
  rawExchange,
  recordingLogger,
  type Reply,
  type Send,
} from './helpers/transports.js';

const folder = mkdtempSync(join(tmpdir(), 'poor-problem-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const JSON_ACCEPT = { accept: 'application/json' };
const MULTIPART = '--b\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\n\r\nabc\r\n--b--\r\n';

/** An app producing each built-in error the framework makes itself. */
function errorsApp(options: ApplicationOptions = {}): Application {
  const down: RateLimitStore = {
    hit() {
      throw new Error('the store is down');
    },
  };
  const app = new Application('problems', {
    logger: false,
    limits: { body: 64 },
    fileCallback: () =>
      new Writable({
        write(_chunk, _encoding, callback) {
          callback(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }));
        },
      }),
    ...options,
  });
  app.route('/echo', (req) => ({ got: req.json }), 'POST');
  app.route('/upload', (req) => ({ fields: req.form.keys() }), 'POST');
  app.route('/folder', () => new FileResponse(folder));
  app.route('/secret', () => 'in', { before: [basic('area', () => false)] });
  app.route('/limited', () => 'once', { before: [rateLimit({ limit: 1, window: 3600 })] });
  app.route('/outage', () => 'never', {
    before: [rateLimit({ limit: 5, window: 60, store: down, onStoreError: 'refuse' })],
  });
  app.route('/crash', () => {
    throw new Error('secret internal detail');
  });
  app.route('/conflict', () => {
    throw new HTTPException(409, { error: 'the name is taken' });
  });
  return app;
}

/** What each built-in error is, and the request that produces it. */
const CASES: Array<{ status: number; method?: string; url: string; body?: string; type?: string; detail?: RegExp }> = [
  { status: 400, method: 'POST', url: '/echo', body: '{', type: 'application/json', detail: /^invalid JSON body/ },
  { status: 401, url: '/secret' },
  { status: 403, url: '/folder', detail: /^not a regular file$/ },
  { status: 404, url: '/nowhere' },
  { status: 405, method: 'DELETE', url: '/echo' },
  { status: 409, url: '/conflict', detail: /^the name is taken$/ },
  { status: 413, method: 'POST', url: '/echo', body: `{"pad":"${'x'.repeat(100)}"}`, type: 'application/json' },
  { status: 429, url: '/limited' },
  { status: 500, url: '/crash' },
  { status: 501, method: 'PROPFIND', url: '/' },
  { status: 503, url: '/outage', detail: /^the rate limit store is unavailable$/ },
  { status: 507, method: 'POST', url: '/upload', body: MULTIPART, type: 'multipart/form-data; boundary=b' },
];

async function ask(send: Send, app: Application, item: (typeof CASES)[number], accept?: string): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (accept !== undefined) headers.accept = accept;
  if (item.type !== undefined) headers['content-type'] = item.type;
  if (item.url === '/limited') await send(app, { url: item.url }); // the one allowed
  return send(app, { method: item.method ?? 'GET', url: item.url, headers, body: item.body });
}

function expectProblem(reply: Reply, item: (typeof CASES)[number]): void {
  expect(reply.status, item.url).toBe(item.status);
  expect(reply.header('content-type')).toBe('application/problem+json');
  expect(reply.header('x-content-type-options')).toBe('nosniff');
  const problem = reply.json<Record<string, unknown>>();
  expect(problem).toMatchObject({ type: 'about:blank', status: item.status, instance: item.url });
  expect(problem.title).toBe(
    {
      400: 'Bad Request',
      401: 'Unauthorized',
      403: 'Forbidden',
      404: 'Not Found',
      405: 'Method Not Allowed',
      409: 'Conflict',
      413: 'Payload Too Large',
      429: 'Too Many Requests',
      500: 'Internal Server Error',
      501: 'Not Implemented',
      503: 'Service Unavailable',
      507: 'Insufficient Storage',
    }[item.status],
  );
  if (item.detail) expect(problem.detail).toMatch(item.detail);
  // Production: nothing of a crash reaches the client.
  if (item.status === 500) expect(Object.keys(problem).sort()).toEqual(['instance', 'status', 'title', 'type']);
}

describeBoth('built-in errors as problem details', (send) => {
  const negotiating = errorsApp();
  const api = errorsApp({ errorFormat: 'json' });
  const pages = errorsApp({ errorFormat: 'html' });
  afterAll(async () => {
    for (const app of [negotiating, api, pages]) await closeServer(app);
  });

  for (const item of CASES) {
    it(`${item.status}: problem+json when the client prefers JSON, HTML for a browser`, async () => {
      expectProblem(await ask(send, negotiating, item, 'application/json'), item);
      const browser = await ask(send, negotiating, item, 'text/html,application/xhtml+xml,*/*;q=0.8');
      expect(browser.status).toBe(item.status);
      expect(browser.header('content-type')).toBe('text/html; charset=utf-8');
      expect(browser.text()).toMatch(/^<!DOCTYPE html>/);
    });

    it(`${item.status}: problem+json whatever the Accept with errorFormat 'json'`, async () => {
      expectProblem(await ask(send, api, item), item);
      expectProblem(await ask(send, api, item, 'text/html'), item);
    });
  }

  it("errorFormat 'html' answers the page even to a JSON client", async () => {
    const reply = await send(pages, { url: '/nowhere', headers: JSON_ACCEPT });
    expect(reply.header('content-type')).toBe('text/html; charset=utf-8');
  });

  it('keeps the headers of the error: Allow, WWW-Authenticate, Retry-After', async () => {
    expect((await send(api, { method: 'DELETE', url: '/echo' })).header('allow')).toBe('POST, OPTIONS');
    expect((await send(api, '/secret')).header('www-authenticate')).toMatch(/^Basic realm="area"/);
    expect((await send(api, '/outage')).header('retry-after')).toBe('5');
  });
});

describeBoth('problem details in debug mode and with handlers of the app', (send) => {
  const debug = errorsApp({ errorFormat: 'json', debug: true });
  const handled = errorsApp({ errorFormat: 'json' });
  handled.errorHandler(404, () => new ProblemResponse(404, { detail: 'ours', hint: 'try /items' }));
  handled.errorHandler(500, (req) => new Response(`crashed on ${req.path}`, { status: 500 }));
  afterAll(async () => {
    await closeServer(debug);
    await closeServer(handled);
  });

  it('debug mode adds the message, the request and the stack to the JSON 500, as to the HTML page', async () => {
    const reply = await send(debug, '/crash');
    expect(reply.status).toBe(500);
    const problem = reply.json<{ detail: string; stack: string[]; request: Record<string, string> }>();
    expect(problem.detail).toBe('secret internal detail');
    expect(problem.stack[0]).toBe('Error: secret internal detail');
    expect(problem.stack.some((line) => line.includes('problem-details.test.ts'))).toBe(true);
    expect(problem.request).toMatchObject({ Method: 'GET', Path: '/crash', Route: '/crash' });
  });

  it("the app's status handlers still win", async () => {
    const missing = await send(handled, { url: '/nowhere', headers: JSON_ACCEPT });
    expect(missing.json()).toEqual({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: 'ours',
      hint: 'try /items',
    });
    const crash = await send(handled, '/crash');
    expect([crash.status, crash.header('content-type'), crash.text()]).toEqual([
      500,
      'text/html; charset=utf-8',
      'crashed on /crash',
    ]);
  });
});

describe('parser refusals (no request to read an Accept from) answer problem details', () => {
  const app = new Application('refusals', { logger: recordingLogger() });
  app.route('/', () => 'ok');
  afterAll(() => app.close());

  const body = (answer: string): unknown => JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));

  it('431 for a header too large, 400 for bytes that are not HTTP', async () => {
    const { port } = await app.listen({ port: 0, host: '127.0.0.1' });
    const large = await rawExchange(port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(large).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    expect(large).toContain('\r\nContent-Type: application/problem+json\r\n');
    expect(body(large)).toEqual({ type: 'about:blank', title: 'Request Header Fields Too Large', status: 431 });
    const garbage = await rawExchange(port, 'HELLO\x01 there\r\n\r\n');
    expect(body(garbage)).toEqual({ type: 'about:blank', title: 'Bad Request', status: 400 });
  });
});
