import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acceptedEncodings,
  Application,
  compression,
  FileResponse,
  GeneratorResponse,
  isCompressible,
  JSONResponse,
  Response,
  StreamResponse,
} from '../src/index.js';

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A plain node:http client: no automatic decompression, the bytes as sent. */
function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, method, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

function decode(reply: Raw): string {
  const coding = reply.headers['content-encoding'];
  if (coding === 'br') return brotliDecompressSync(reply.body).toString('utf8');
  if (coding === 'gzip') return gunzipSync(reply.body).toString('utf8');
  return reply.body.toString('utf8');
}

const big = { items: Array.from({ length: 200 }, (_, index) => ({ index, name: `item number ${index}` })) };
const text = JSON.stringify(big);

describe('compression() over a real socket', () => {
  const dir = mkdtempSync(join(tmpdir(), 'poor-compress-'));
  const file = join(dir, 'page.html');
  writeFileSync(file, '<p>' + 'a fairly repetitive paragraph. '.repeat(400) + '</p>');
  const app = new Application('compress', { logger: false, addOns: [compression()] });
  app.route('/json', () => new JSONResponse(big));
  app.route('/small', () => new JSONResponse({ ok: true }));
  app.route('/png', () => new Response(Buffer.alloc(4096, 1), { contentType: 'image/png' }));
  app.route(
    '/stream',
    () =>
      new StreamResponse(Readable.from([text.slice(0, 3000), text.slice(3000)]), { contentType: 'application/json' }),
  );
  app.route(
    '/generated',
    () =>
      new GeneratorResponse(
        (function* () {
          for (let line = 0; line < 500; line += 1) yield `line ${line}\n`;
        })(),
        { contentType: 'text/plain; charset=utf-8' },
      ),
  );
  app.route('/file', () => new FileResponse(file));
  const png = join(dir, 'image.png');
  writeFileSync(png, Buffer.alloc(4096, 1));
  app.route('/png-file', () => new FileResponse(png));
  app.route('/no-transform', () => new JSONResponse(big, { headers: { 'Cache-Control': 'no-transform' } }));
  let port = 0;
  beforeAll(async () => {
    ({ port } = await app.listen({ port: 0 }));
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prefers brotli, then gzip, by the client quality values', async () => {
    const br = await get(port, '/json', { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('Accept-Encoding');
    expect(br.headers['content-length']).toBe(String(br.body.length));
    expect(br.body.length).toBeLessThan(text.length / 4);
    expect(JSON.parse(decode(br))).toEqual(big);
    const gzip = await get(port, '/json', { 'accept-encoding': 'gzip;q=1, br;q=0.5' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(decode(gzip))).toEqual(big);
    const star = await get(port, '/json', { 'accept-encoding': 'br;q=0, *' });
    expect(star.headers['content-encoding']).toBe('gzip');
  });

  it('sends identity when not accepted, too small, not compressible, HEAD or no-transform', async () => {
    const none = await get(port, '/json');
    expect(none.headers['content-encoding']).toBeUndefined();
    expect(none.headers.vary).toBe('Accept-Encoding');
    expect(JSON.parse(none.body.toString())).toEqual(big);
    const refused = await get(port, '/json', { 'accept-encoding': 'identity, gzip;q=0, br;q=0' });
    expect(refused.headers['content-encoding']).toBeUndefined();
    const small = await get(port, '/small', { 'accept-encoding': 'gzip' });
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(small.body.toString()).toBe('{"ok":true}');
    const png = await get(port, '/png', { 'accept-encoding': 'gzip' });
    expect(png.headers['content-encoding']).toBeUndefined();
    expect(png.headers.vary).toBeUndefined();
    const head = await get(port, '/json', { 'accept-encoding': 'gzip' }, 'HEAD');
    expect(head.headers['content-encoding']).toBeUndefined();
    const fixed = await get(port, '/no-transform', { 'accept-encoding': 'gzip' });
    expect(fixed.headers['content-encoding']).toBeUndefined();
  });

  it('compresses streams and generators as they flow (chunked)', async () => {
    const stream = await get(port, '/stream', { 'accept-encoding': 'gzip' });
    expect(stream.headers['content-encoding']).toBe('gzip');
    expect(stream.headers['transfer-encoding']).toBe('chunked');
    expect(JSON.parse(decode(stream))).toEqual(big);
    const generated = await get(port, '/generated', { 'accept-encoding': 'br' });
    expect(generated.headers['content-encoding']).toBe('br');
    const lines = decode(generated).split('\n');
    expect(lines[499]).toBe('line 499');
  });

  it('a file: weak ETag that still gives 304, and a range is served uncompressed', async () => {
    const plain = await get(port, '/file');
    const strong = plain.headers.etag as string;
    expect(strong).toMatch(/^"/);
    expect(plain.headers['accept-ranges']).toBe('bytes');
    const encoded = await get(port, '/file', { 'accept-encoding': 'gzip' });
    expect(encoded.headers['content-encoding']).toBe('gzip');
    expect(encoded.headers.etag).toBe(`W/${strong}`);
    expect(encoded.headers['accept-ranges']).toBeUndefined();
    expect(decode(encoded)).toBe(plain.body.toString());
    const again = await get(port, '/file', { 'accept-encoding': 'gzip', 'if-none-match': `W/${strong}` });
    expect(again.status).toBe(304);
    const range = await get(port, '/file', { 'accept-encoding': 'gzip', range: 'bytes=0-9' });
    expect(range.status).toBe(206);
    expect(range.headers['content-encoding']).toBeUndefined();
    expect(range.body.toString()).toBe(plain.body.subarray(0, 10).toString());
  });

  it('a 304 carries the Vary and the weak ETag its 200 would have (RFC 9110 §15.4.5)', async () => {
    const encoded = await get(port, '/file', { 'accept-encoding': 'gzip' });
    expect(encoded.headers.vary).toBe('Accept-Encoding');
    const etag = encoded.headers.etag as string;
    const again = await get(port, '/file', { 'accept-encoding': 'gzip', 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.headers.vary).toBe('Accept-Encoding');
    expect(again.headers.etag).toBe(etag);
    // A client that takes no coding gets the plain 200's strong ETag, and still the Vary.
    const strong = etag.slice(2);
    const identity = await get(port, '/file', { 'if-none-match': strong });
    expect(identity.status).toBe(304);
    expect(identity.headers.vary).toBe('Accept-Encoding');
    expect(identity.headers.etag).toBe(strong);
  });

  it('a 304 for a type it never compresses gets no Vary: Accept-Encoding', async () => {
    const first = await get(port, '/png-file', { 'accept-encoding': 'gzip' });
    expect(first.headers.vary).toBeUndefined();
    const again = await get(port, '/png-file', {
      'accept-encoding': 'gzip',
      'if-none-match': first.headers.etag as string,
    });
    expect(again.status).toBe(304);
    expect(again.headers.vary).toBeUndefined();
  });

  it('fetch (undici) decodes the answers', async () => {
    const reply = await fetch(`http://127.0.0.1:${port}/json`);
    expect(reply.headers.get('content-encoding')).toMatch(/^(br|gzip)$/);
    expect(await reply.json()).toEqual(big);
  });
});

describe('acceptedEncodings and isCompressible', () => {
  it('orders by quality, then by the server', () => {
    expect(acceptedEncodings('gzip, br', ['br', 'gzip'])).toEqual(['br', 'gzip']);
    expect(acceptedEncodings('br;q=0.2, gzip;q=0.8', ['br', 'gzip'])).toEqual(['gzip', 'br']);
    expect(acceptedEncodings('*;q=0.1, gzip;q=0', ['br', 'gzip'])).toEqual(['br']);
    expect(acceptedEncodings('identity', ['br', 'gzip'])).toEqual([]);
    expect(acceptedEncodings(undefined, ['br', 'gzip'])).toEqual([]);
    expect(acceptedEncodings('GZIP', ['br', 'gzip'])).toEqual(['gzip']);
  });

  it('knows the compressible types', () => {
    for (const type of [
      'text/html; charset=utf-8',
      'application/json',
      'application/problem+json',
      'image/svg+xml',
      'application/javascript',
    ]) {
      expect(isCompressible(type)).toBe(true);
    }
    for (const type of ['image/png', 'application/octet-stream', 'video/mp4', 'application/zip']) {
      expect(isCompressible(type)).toBe(false);
    }
  });
});
