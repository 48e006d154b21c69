import { appendFileSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Application, FileResponse, GeneratorResponse, httpDate, Response } from '../src/index.js';
import { closeServer, describeBoth } from './helpers/transports.js';

const dir = mkdtempSync(join(tmpdir(), 'poor-conditional-'));
const file = join(dir, 'data.txt');
const content = '0123456789abcdefghij'; // 20 bytes
writeFileSync(file, content);
const mtime = new Date('2026-01-02T03:04:05Z');
utimesSync(file, mtime, mtime);
writeFileSync(join(dir, 'empty.bin'), '');

function fileApp(): Application {
  const app = new Application('files', { logger: false });
  app.route('/file', () => new FileResponse(file));
  app.route('/empty', () => new FileResponse(join(dir, 'empty.bin')));
  app.route('/missing', () => new FileResponse(join(dir, 'nope.txt')));
  app.route('/dir', () => new FileResponse(dir));
  app.route('/growing', () => {
    // The file grows after it was stat-ed: exactly the announced bytes are sent.
    const path = join(dir, 'growing.txt');
    writeFileSync(path, content);
    const stats = statSync(path);
    appendFileSync(path, 'MORE BYTES');
    return new FileResponse(path, { stats });
  });
  app.route('/memory', () => new Response('in memory body').makePartial());
  app.route('/etag', () => new Response('tagged', { headers: { ETag: 'W/"v1"' } }));
  app.route('/gen', () => new GeneratorResponse(['line 0\n', 'line 1\n', 'line 2\n'], { length: 21 }).makePartial());
  return app;
}

describeBoth('FileResponse, conditional requests and ranges', (send) => {
  const app = fileApp();
  afterAll(() => closeServer(app));
  const lastModified = httpDate(mtime);

  it('sends type, length, Last-Modified, a strong ETag and Accept-Ranges', async () => {
    const reply = await send(app, '/file');
    expect(reply.status).toBe(200);
    expect(reply.text()).toBe(content);
    expect(reply.header('content-type')).toBe('text/plain; charset=utf-8');
    expect(reply.header('content-length')).toBe('20');
    expect(reply.header('last-modified')).toBe(lastModified);
    expect(reply.header('etag')).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    expect(reply.header('accept-ranges')).toBe('bytes');
  });

  it('If-None-Match → 304 with ETag, no body', async () => {
    const etag = (await send(app, '/file')).header('etag') as string;
    const reply = await send(app, { url: '/file', headers: { 'if-none-match': `"other", ${etag}` } });
    expect(reply.status).toBe(304);
    expect(reply.header('etag')).toBe(etag);
    expect(reply.body.length).toBe(0);
    expect((await send(app, { url: '/file', headers: { 'if-none-match': '*' } })).status).toBe(304);
  });

  it('If-Modified-Since → 304 when not modified, 200 when older, ignored when unparseable', async () => {
    expect((await send(app, { url: '/file', headers: { 'if-modified-since': lastModified } })).status).toBe(304);
    expect(
      (await send(app, { url: '/file', headers: { 'if-modified-since': 'Thu, 01 Jan 2026 00:00:00 GMT' } })).status,
    ).toBe(200);
    expect((await send(app, { url: '/file', headers: { 'if-modified-since': 'not a date' } })).status).toBe(200);
  });

  it('If-None-Match wins over If-Modified-Since', async () => {
    const reply = await send(app, {
      url: '/file',
      headers: { 'if-none-match': '"nope"', 'if-modified-since': lastModified },
    });
    expect(reply.status).toBe(200);
  });

  it('If-Match and If-Unmodified-Since → 412 when they fail', async () => {
    const etag = (await send(app, '/file')).header('etag') as string;
    expect((await send(app, { url: '/file', headers: { 'if-match': '"nope"' } })).status).toBe(412);
    expect((await send(app, { url: '/file', headers: { 'if-match': etag } })).status).toBe(200);
    expect(
      (await send(app, { url: '/file', headers: { 'if-unmodified-since': 'Thu, 01 Jan 2026 00:00:00 GMT' } })).status,
    ).toBe(412);
    expect((await send(app, { url: '/file', headers: { 'if-unmodified-since': 'garbage' } })).status).toBe(200);
  });

  it('weak ETags match If-None-Match but never If-Match', async () => {
    expect((await send(app, { url: '/etag', headers: { 'if-none-match': '"v1"' } })).status).toBe(304);
    expect((await send(app, { url: '/etag', headers: { 'if-match': 'W/"v1"' } })).status).toBe(412);
  });

  it.each([
    ['bytes=0-0', 'bytes 0-0/20', '0'],
    ['bytes=0-4', 'bytes 0-4/20', '01234'],
    ['bytes=15-', 'bytes 15-19/20', 'fghij'],
    ['bytes=-3', 'bytes 17-19/20', 'hij'],
    ['bytes=-50', 'bytes 0-19/20', content],
    ['bytes=18-100', 'bytes 18-19/20', 'ij'],
    ['bytes=50-60, 2-3', 'bytes 2-3/20', '23'],
  ])('Range %s → 206 %s', async (range, contentRange, body) => {
    const reply = await send(app, { url: '/file', headers: { range } });
    expect(reply.status).toBe(206);
    expect(reply.header('content-range')).toBe(contentRange);
    expect(reply.header('content-length')).toBe(String(Buffer.byteLength(body)));
    expect(reply.text()).toBe(body);
  });

  it.each(['bytes=20-', 'bytes=100-200', 'bytes=-0'])('unsatisfiable %s → 416 with bytes */20', async (range) => {
    const reply = await send(app, { url: '/file', headers: { range } });
    expect(reply.status).toBe(416);
    expect(reply.header('content-range')).toBe('bytes */20');
  });

  it('ignores malformed or foreign Range headers (full 200)', async () => {
    for (const range of ['bytes=5-1', 'bytes=a-b', 'items=0-1', 'bytes 0-1']) {
      const reply = await send(app, { url: '/file', headers: { range } });
      expect(reply.status).toBe(200);
      expect(reply.text()).toBe(content);
    }
  });

  it('If-Range: a matching validator gives 206, a stale one the full 200', async () => {
    const etag = (await send(app, '/file')).header('etag') as string;
    expect((await send(app, { url: '/file', headers: { range: 'bytes=0-1', 'if-range': etag } })).status).toBe(206);
    expect((await send(app, { url: '/file', headers: { range: 'bytes=0-1', 'if-range': lastModified } })).status).toBe(
      206,
    );
    expect((await send(app, { url: '/file', headers: { range: 'bytes=0-1', 'if-range': '"old"' } })).status).toBe(200);
    expect(
      (await send(app, { url: '/file', headers: { range: 'bytes=0-1', 'if-range': 'Thu, 01 Jan 2026 00:00:00 GMT' } }))
        .status,
    ).toBe(200);
  });

  it('HEAD sends the headers of GET without a body', async () => {
    const reply = await send(app, { url: '/file', method: 'HEAD' });
    expect(reply.status).toBe(200);
    expect(reply.header('content-length')).toBe('20');
    expect(reply.body.length).toBe(0);
  });

  it('an empty file: 200 with length 0, any range 416', async () => {
    expect((await send(app, '/empty')).header('content-length')).toBe('0');
    const reply = await send(app, { url: '/empty', headers: { range: 'bytes=0-99' } });
    expect(reply.status).toBe(416);
    expect(reply.header('content-range')).toBe('bytes */0');
  });

  it('sends exactly the length it announced, even when the file grew since', async () => {
    const reply = await send(app, '/growing');
    expect(reply.status).toBe(200);
    expect(reply.header('content-length')).toBe('20');
    expect(reply.text()).toBe(content);
  });

  it('a missing file → 404, a directory → 403', async () => {
    expect((await send(app, '/missing')).status).toBe(404);
    expect((await send(app, '/dir')).status).toBe(403);
  });

  it('in-memory and generator bodies honour ranges after makePartial()', async () => {
    const memory = await send(app, { url: '/memory', headers: { range: 'bytes=3-8' } });
    expect(memory.status).toBe(206);
    expect(memory.text()).toBe('memory');
    const gen = await send(app, { url: '/gen', headers: { range: 'bytes=5-9' } });
    expect(gen.status).toBe(206);
    expect(gen.header('content-range')).toBe('bytes 5-9/21');
    expect(gen.text()).toBe('0\nlin');
  });
});

describe('conditional requests only apply to GET and HEAD', () => {
  it('a POST with If-None-Match is not a 304', async () => {
    const app = new Application('post', { logger: false });
    app.route('/', () => new Response('done', { headers: { ETag: '"a"' } }), 'POST');
    expect((await app.inject({ url: '/', method: 'POST', headers: { 'if-none-match': '"a"' } })).status).toBe(200);
  });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));
