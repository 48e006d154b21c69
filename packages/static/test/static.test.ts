import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Application, basic, compression, type InjectOptions } from '@poor/core';
import { documentRoot, humanSize, type StaticOptions } from '../src/index.js';
import { makeFixture, type Fixture } from './fixture.js';

/** One answer, whatever carried it. */
interface Reply {
  status: number;
  headers: Record<string, string | undefined>;
  body: Buffer;
  text: string;
}

/** Sends the request line bytes as given (`--path-as-is`) over a real socket. */
function raw(port: number, path: string, method = 'GET', headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const extra = Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    socket.on('connect', () =>
      socket.write(`${method} ${path} HTTP/1.1\r\nHost: localhost\r\n${extra}Connection: close\r\n\r\n`, 'latin1'),
    );
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      const [statusLine = '', ...lines] = all.subarray(0, split).toString('latin1').split('\r\n');
      const result: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        result[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      let body: Buffer = all.subarray(split + 4);
      if (result['transfer-encoding'] === 'chunked') body = dechunk(body);
      resolve({ status: Number(statusLine.split(' ')[1]), headers: result, body, text: body.toString('utf8') });
    });
  });
}

function dechunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const end = data.indexOf('\r\n', offset);
    const size = parseInt(data.subarray(offset, end).toString('latin1'), 16);
    if (!size) return Buffer.concat(parts);
    parts.push(data.subarray(end + 2, end + 2 + size));
    offset = end + 2 + size + 2;
  }
}

type Send = (app: Application, path: string, options?: Omit<InjectOptions, 'url'>) => Promise<Reply>;

const viaInject: Send = async (app, path, options = {}) => {
  const reply = await app.inject({ ...options, url: path });
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(reply.headers))
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return { status: reply.status, headers, body: reply.body, text: reply.text() };
};

const ports = new Map<Application, number>();
const viaSocket: Send = async (app, path, options = {}) => {
  let port = ports.get(app);
  if (port === undefined) {
    port = (await app.listen({ port: 0 })).port;
    ports.set(app, port);
  }
  return raw(port, path, options.method, (options.headers ?? {}) as Record<string, string>);
};

let fixture: Fixture;
const apps: Application[] = [];

function appWith(options: StaticOptions = {}, setup?: (app: Application) => void): Application {
  const app = new Application('static-test', { logger: false });
  setup?.(app);
  app.use(documentRoot(fixture.root, options));
  apps.push(app);
  return app;
}

beforeAll(() => {
  fixture = makeFixture();
});
afterAll(async () => {
  for (const app of apps) if (app.server) await app.close();
  fixture.remove();
});

for (const [transport, send] of [
  ['inject', viaInject],
  ['socket', viaSocket],
] as const) {
  describe(`documentRoot over ${transport}`, () => {
    let app: Application;
    beforeAll(() => {
      app = appWith({ index: true });
    });

    it('serves a file with type, length, strong ETag and Last-Modified', async () => {
      const reply = await send(app, '/hello.txt');
      expect(reply.status).toBe(200);
      expect(reply.text).toBe('hello\n');
      expect(reply.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(reply.headers['content-length']).toBe('6');
      expect(reply.headers.etag).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
      expect(reply.headers['last-modified']).toMatch(/GMT$/);
      expect(reply.headers.vary).toBe('Accept-Encoding');
    });

    it('answers HEAD with the headers and no body', async () => {
      const reply = await send(app, '/hello.txt', { method: 'HEAD' });
      expect(reply.status).toBe(200);
      expect(reply.headers['content-length']).toBe('6');
      expect(reply.body.length).toBe(0);
    });

    it('serves an empty file, names with dots, spaces, unicode and markup', async () => {
      expect((await send(app, '/empty.txt')).headers['content-length']).toBe('0');
      expect((await send(app, '/a..b.txt')).text).toBe('dots inside\n');
      expect((await send(app, '/with%20space.txt')).text).toBe('space\n');
      expect((await send(app, `/${encodeURIComponent('ünïcödé.txt')}`)).text).toBe('unicode\n');
      expect((await send(app, `/${encodeURIComponent(fixture.hostile)}`)).text).toBe('hostile\n');
      expect((await send(app, '/inside-link')).text).toBe('hello\n');
    });

    it('streams a 1 MiB file intact', async () => {
      const reply = await send(app, '/big.bin');
      expect(reply.status).toBe(200);
      expect(reply.headers['content-type']).toBe('application/octet-stream');
      const digest = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
      expect(digest(reply.body)).toBe(digest(fixture.big));
    });

    it('answers conditional requests: 304, 412, and If-Range', async () => {
      const first = await send(app, '/hello.txt');
      const etag = first.headers.etag as string;
      const modified = first.headers['last-modified'] as string;
      const notModified = await send(app, '/hello.txt', { headers: { 'if-none-match': etag } });
      expect(notModified.status).toBe(304);
      expect(notModified.body.length).toBe(0);
      expect(notModified.headers.etag).toBe(etag);
      expect((await send(app, '/hello.txt', { headers: { 'if-modified-since': modified } })).status).toBe(304);
      expect((await send(app, '/hello.txt', { headers: { 'if-match': '"other"' } })).status).toBe(412);
      const stale = await send(app, '/hello.txt', { headers: { range: 'bytes=0-0', 'if-range': '"other"' } });
      expect(stale.status).toBe(200);
      const fresh = await send(app, '/hello.txt', { headers: { range: 'bytes=0-0', 'if-range': etag } });
      expect(fresh.status).toBe(206);
    });

    it('answers ranges: 206 with Content-Range, 416 with bytes */length', async () => {
      const one = await send(app, '/hello.txt', { headers: { range: 'bytes=0-0' } });
      expect(one.status).toBe(206);
      expect(one.text).toBe('h');
      expect(one.headers['content-range']).toBe('bytes 0-0/6');
      const suffix = await send(app, '/big.bin', { headers: { range: 'bytes=-10' } });
      expect(suffix.status).toBe(206);
      expect(suffix.body.equals(fixture.big.subarray(-10))).toBe(true);
      const outside = await send(app, '/hello.txt', { headers: { range: 'bytes=100-' } });
      expect(outside.status).toBe(416);
      expect(outside.headers['content-range']).toBe('bytes */6');
    });

    it('redirects a directory without its slash, keeping the query, never to another host', async () => {
      const sub = await send(app, '/sub?x=1');
      expect(sub.status).toBe(301);
      expect(sub.headers.location).toBe('/sub/?x=1');
      const file = await send(app, '/dir.txt');
      expect(file.status).toBe(301);
      expect(file.headers.location).toBe('/dir.txt/');
      const hostLike = await send(app, '//sub');
      expect(hostLike.status).toBe(301);
      expect(hostLike.headers.location).toBe('/sub/');
      expect((await send(app, '///sub/deeper')).headers.location).toBe('/sub/deeper/');
    });

    it('serves index.html for a directory, and the listing otherwise', async () => {
      const site = await send(app, '/site/');
      expect(site.status).toBe(200);
      expect(site.text).toContain('site index');
      const listing = await send(app, '/sub/');
      expect(listing.status).toBe(200);
      expect(listing.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(listing.text).toContain('<title>Index of /sub/</title>');
      expect(listing.text).toContain('<a href="../">../</a>');
      expect(listing.text.indexOf('deeper/')).toBeLessThan(listing.text.indexOf('nested.txt'));
      expect((await send(app, '/dir.txt/inner.txt')).text).toBe('inner\n');
    });

    it('refuses every escape: dot segments in any encoding, backslashes, NUL bytes', async () => {
      // inject and the socket both send these bytes unnormalised (curl --path-as-is).
      for (const path of [
        '/../../etc/passwd',
        '/%2e%2e/%2e%2e/etc/passwd',
        '/%2E%2E%2Fetc%2Fpasswd',
        '/sub/..%2f..%2foutside/passwd.txt',
        '/sub/../hello.txt',
        '/.%2e/outside/passwd.txt',
      ]) {
        const reply = await send(app, path);
        expect([path, reply.status]).toEqual([path, 400]);
        expect(reply.text).not.toContain('root:x');
      }
      for (const path of ['/..%5c..%5coutside%5cpasswd.txt', '/sub%5cnested.txt', '/hello.txt%00.png', '/%00']) {
        expect([path, (await send(app, path)).status]).toEqual([path, 400]);
      }
      expect((await send(app, '/%zz')).status).toBe(400);
    });

    it('refuses symlinks that lead outside the root with 403', async () => {
      for (const path of ['/outside-file', '/outside-dir/passwd.txt', '/outside-dir/', '/outside-dir']) {
        const reply = await send(app, path);
        expect([path, reply.status]).toEqual([path, 403]);
        expect(reply.text).not.toContain('root:x');
      }
    });

    it('hides dotfiles by default (as if missing)', async () => {
      expect((await send(app, '/.secret')).status).toBe(404);
      expect((await send(app, '/.hidden-dir/file.txt')).status).toBe(404);
      expect((await send(app, '/%2esecret')).status).toBe(404);
      expect((await send(app, '/nothing-here.txt')).status).toBe(404);
    });
  });
}

describe('documentRoot options and the request pipeline', () => {
  it('applies the dotfiles policy', async () => {
    const deny = appWith({ dotfiles: 'deny' });
    expect((await deny.inject('/.secret')).status).toBe(403);
    expect((await deny.inject('/.hidden-dir/file.txt')).status).toBe(403);
    const allow = appWith({ dotfiles: 'allow' });
    expect((await allow.inject('/.secret')).text()).toBe('secret\n');
  });

  it('answers 403 for a directory without index file when listings are off', async () => {
    const app = appWith();
    expect((await app.inject('/sub/')).status).toBe(403);
    expect((await app.inject('/site/')).status).toBe(200);
  });

  it('uses the configured index files in order', async () => {
    const app = appWith({ indexFiles: ['nested.txt', 'index.html'] });
    expect((await app.inject('/sub/')).text()).toBe('nested\n');
    expect((await app.inject('/site/')).text()).toContain('site index');
  });

  it('sets Cache-Control from maxAge and immutable, and can leave out the validators', async () => {
    const app = appWith({ maxAge: 3600, immutable: true, etag: false, lastModified: false });
    const reply = await app.inject('/hello.txt');
    expect(reply.headers['cache-control']).toBe('max-age=3600, immutable');
    expect(reply.headers.etag).toBeUndefined();
    expect(reply.headers['last-modified']).toBeUndefined();
  });

  it('gives a listing validators that change with what it shows (RFC 9110 §8.8, §13.1.3)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'poor-listing-'));
    try {
      const file = join(dir, 'a.txt');
      writeFileSync(file, 'seven b');
      const past = new Date('2026-01-01T10:00:00Z');
      utimesSync(file, past, past);
      utimesSync(dir, past, past);
      const app = new Application('listing', { logger: false }).use(documentRoot(dir, { index: true }));
      apps.push(app);
      const first = await app.inject('/');
      expect(first.text()).toContain('7 B');
      const lastModified = first.headers['last-modified'] as string;
      const etag = first.headers.etag as string;
      expect(etag).toMatch(/^"[\w-]+"$/);
      expect((await app.inject({ url: '/', headers: { 'if-none-match': etag } })).status).toBe(304);
      expect((await app.inject({ url: '/', headers: { 'if-modified-since': lastModified } })).status).toBe(304);
      // The file grows; the directory's own mtime does not move when a file inside is rewritten.
      writeFileSync(file, 'thirty-one bytes, a longer text');
      const later = new Date('2026-01-01T10:05:00Z');
      utimesSync(file, later, later);
      utimesSync(dir, past, past);
      const byDate = await app.inject({ url: '/', headers: { 'if-modified-since': lastModified } });
      expect(byDate.status).toBe(200);
      expect(byDate.text()).toContain('31 B');
      expect((await app.inject({ url: '/', headers: { 'if-none-match': etag } })).status).toBe(200);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('never sends Cache-Control: public unless asked (RFC 9111 §3.5: files behind authentication stay private to shared caches)', async () => {
    const guarded = appWith({ maxAge: 3600 }, (app) =>
      app.before(basic('Files', (user, password) => user === 'u' && password === 'p')),
    );
    const authorization = `Basic ${Buffer.from('u:p').toString('base64')}`;
    const reply = await guarded.inject({ url: '/hello.txt', headers: { authorization } });
    expect(reply.status).toBe(200);
    expect(reply.headers['cache-control']).toBe('max-age=3600');
    const shared = await appWith({ maxAge: 60, public: true }).inject('/hello.txt');
    expect(shared.headers['cache-control']).toBe('public, max-age=60');
  });

  it('serves precompressed siblings to clients that accept them', async () => {
    const app = appWith();
    const br = await app.inject({ url: '/style.css', headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(br.headers.vary).toBe('Accept-Encoding');
    const { brotliDecompressSync, gunzipSync } = await import('node:zlib');
    expect(brotliDecompressSync(br.body).toString()).toBe(fixture.css);
    const gz = await app.inject({ url: '/style.css', headers: { 'accept-encoding': 'br;q=0, gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(fixture.css);
    const plain = await app.inject({ url: '/style.css', headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.text()).toBe(fixture.css);
    expect(br.headers.etag).not.toBe(plain.headers.etag);
    const off = appWith({ precompressed: false });
    const none = await off.inject({ url: '/style.css', headers: { 'accept-encoding': 'br' } });
    expect(none.headers['content-encoding']).toBeUndefined();
    expect(none.headers.vary).toBeUndefined();
  });

  it("keeps precompressed siblings as they are under core's compression()", async () => {
    const app = appWith({}, (app) => app.use(compression({ threshold: 0 })));
    const { brotliDecompressSync, gunzipSync } = await import('node:zlib');
    const br = await app.inject({ url: '/style.css', headers: { 'accept-encoding': 'br, gzip' } });
    expect(br.headers['content-encoding']).toBe('br');
    // encoded once: the sibling's bytes, not brotli of brotli
    expect(brotliDecompressSync(br.body).toString()).toBe(fixture.css);
    expect(br.headers.vary).toBe('Accept-Encoding');
    // without siblings, compression() encodes the file itself
    const off = appWith({ precompressed: false }, (app) => app.use(compression({ threshold: 0 })));
    const gz = await off.inject({ url: '/style.css', headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(fixture.css);
  });

  it('lets routes win over files and files win over the default handler', async () => {
    const app = appWith({}, (app) => {
      app.route('/hello.txt', () => 'from the route');
      app.defaultHandler(() => 'from the default handler');
    });
    expect((await app.inject('/hello.txt')).text()).toBe('from the route');
    expect((await app.inject('/with%20space.txt')).text()).toBe('space\n');
    expect((await app.inject('/missing')).text()).toBe('from the default handler');
  });

  it('runs before hooks for files and misses; other methods on a file are 405 with Allow (issue 8, bug 4)', async () => {
    const seen: string[] = [];
    const app = appWith({}, (app) => {
      app.before((req) => {
        seen.push(`${req.method} ${req.path}`);
        return req.path === '/blocked.txt' ? 'blocked by a hook' : undefined;
      });
      app.route('/form', () => 'posted', ['POST']);
    });
    expect((await app.inject('/hello.txt')).status).toBe(200);
    expect((await app.inject('/missing')).status).toBe(404);
    expect((await app.inject('/blocked.txt')).text()).toBe('blocked by a hook');
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const refused = await app.inject({ url: '/hello.txt', method });
      expect([method, refused.status, refused.headers.allow]).toEqual([method, 405, 'GET, HEAD, OPTIONS']);
    }
    const options = await app.inject({ url: '/hello.txt', method: 'OPTIONS' });
    expect([options.status, options.headers.allow]).toEqual([204, 'GET, HEAD, OPTIONS']);
    expect((await app.inject({ url: '/missing', method: 'POST' })).status).toBe(404);
    expect((await app.inject({ url: '/form', method: 'POST' })).text()).toBe('posted');
    expect(seen.slice(0, 4)).toEqual(['GET /hello.txt', 'GET /missing', 'GET /blocked.txt', 'POST /hello.txt']);
  });

  it('serves under a URL prefix, leaving every other path alone', async () => {
    const app = appWith({ prefix: '/files/', index: true });
    expect((await app.inject('/files/hello.txt')).text()).toBe('hello\n');
    expect((await app.inject('/hello.txt')).status).toBe(404);
    expect((await app.inject('/filesX/hello.txt')).status).toBe(404);
    const bare = await app.inject('/files');
    expect(bare.status).toBe(301);
    expect(bare.headers.location).toBe('/files/');
    expect((await app.inject('/files/sub')).headers.location).toBe('/files/sub/');
    const listing = await app.inject('/files/sub/');
    expect(listing.text()).toContain('Index of /files/sub/');
    expect((await app.inject('/files/../hello.txt')).status).toBe(400);
    expect(() => documentRoot(fixture.root, { prefix: '//evil' })).toThrow(TypeError);
    expect(() => documentRoot(fixture.root, { prefix: 'files' })).toThrow(TypeError);
  });

  it('refuses a missing or non-directory root at installation', () => {
    expect(() => documentRoot(join(fixture.root, 'nope'))).toThrow(TypeError);
    expect(() => documentRoot(join(fixture.root, 'hello.txt'))).toThrow(/not a directory/);
  });

  it('is loaded on demand from the documentRoot / documentIndex options (the poor_* environment path)', async () => {
    const app = new Application('env-static', { documentRoot: fixture.root, documentIndex: true, logger: false });
    apps.push(app);
    const { port } = await app.listen({ port: 0 });
    const listing = await fetch(`http://127.0.0.1:${port}/`);
    expect(listing.status).toBe(200);
    expect(await listing.text()).toContain('Index of /');
    expect(await (await fetch(`http://127.0.0.1:${port}/hello.txt`)).text()).toBe('hello\n');
  });

  it('serves poor_DocumentRoot / poor_DocumentIndex=On for an app that imports only @poor/core', async () => {
    const saved = { root: process.env.poor_DocumentRoot, index: process.env.poor_DocumentIndex };
    process.env.poor_DocumentRoot = fixture.root;
    process.env.poor_DocumentIndex = 'On';
    let app: Application;
    try {
      app = new Application('env-only', { logger: false });
    } finally {
      for (const [name, value] of [
        ['poor_DocumentRoot', saved.root],
        ['poor_DocumentIndex', saved.index],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
    apps.push(app);
    const { port } = await app.listen({ port: 0 });
    expect(await (await fetch(`http://127.0.0.1:${port}/sub/`)).text()).toContain('Index of /sub/');
    expect(await (await fetch(`http://127.0.0.1:${port}/sub/nested.txt`)).text()).toBe('nested\n');
  });

  it('fails at listen() with an install hint when @poor/static cannot be found', () => {
    // A child process whose module resolution refuses @poor/static, as when it is not installed.
    const hook = `export async function resolve(specifier, context, next) {
      if (specifier === '@poor/static') { const e = new Error("Cannot find package '@poor/static'"); e.code = 'ERR_MODULE_NOT_FOUND'; throw e; }
      return next(specifier, context);
    }`;
    const script = `
      import { register } from 'node:module';
      register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}));
      const { Application } = await import('@poor/core');
      const app = new Application('x', { documentRoot: '.', logger: false });
      try { await app.listen({ port: 0 }); console.log('listening'); process.exit(0); }
      catch (error) { console.log(String(error.message)); }
    `;
    const here = dirname(fileURLToPath(import.meta.url));
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: here, encoding: 'utf8' });
    expect(result.stdout).toContain('npm install @poor/static');
  });
});

describe('humanSize', () => {
  it('says bytes up to 1000, then divides by 1024 while above 1000', () => {
    expect(humanSize(0)).toBe('0 B');
    expect(humanSize(11)).toBe('11 B');
    expect(humanSize(1000)).toBe('1000 B');
    expect(humanSize(1024)).toBe('1.0 KiB');
    expect(humanSize(2_000_000)).toBe('1.9 MiB');
    expect(humanSize(5 * 1024 ** 3)).toBe('5.0 GiB');
  });
});
