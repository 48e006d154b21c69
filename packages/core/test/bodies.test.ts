import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Application, UploadedFile, type Request } from '../src/index.js';
import { rawExchange } from './helpers/transports.js';

const uploadDir = mkdtempSync(join(tmpdir(), 'poor-uploads-'));
afterAll(() => rmSync(uploadDir, { recursive: true, force: true }));
const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

function bodiesApp(): Application {
  const app = new Application('bodies', {
    logger: false,
    uploadDir,
    limits: { body: 64 * 1024, fileSize: 256 * 1024, files: 3, fields: 5, fieldsSize: 1024 },
  });
  app.route(
    '/json',
    (req) => ({ json: req.json ?? null, polluted: ({} as Record<string, unknown>).polluted ?? null }),
    ['POST', 'PUT', 'PATCH'],
  );
  app.route(
    '/form',
    async (req: Request) => {
      const files: Record<string, unknown> = {};
      for (const key of req.form.keys()) {
        for (const value of req.form.getList(key)) {
          if (value instanceof UploadedFile) {
            files[key] = {
              filename: value.filename,
              type: value.type,
              size: value.size,
              sha256: sha256(await value.read()),
              path: value.path,
            };
          }
        }
      }
      const text = Object.fromEntries(
        req.form.keys().map((key) => [key, req.form.getList(key).filter((v) => typeof v === 'string')]),
      );
      return { text, files };
    },
    'POST',
  );
  app.route('/raw', async (req) => ({ length: (await req.body()).length }), 'POST');
  app.route(
    '/json-again',
    async (req) => {
      const bytes = await req.body();
      const text = await req.text();
      await req.parseBody();
      return { json: req.json, length: bytes.length, same: text === bytes.toString('utf8') };
    },
    'POST',
  );
  app.route(
    '/stream',
    async (req) => {
      let size = 0;
      for await (const chunk of req) size += (chunk as Buffer).length;
      return { size };
    },
    'POST',
  );
  app.route('/ping', () => 'pong');
  return app;
}

function rawRequest(port: number, data: string | Buffer, timeout = 3000, halfClose = false): Promise<string> {
  return rawExchange(port, data, { timeout, halfClose });
}

function multipart(
  boundary: string,
  parts: Array<{ name?: string; filename?: string; type?: string; content: string | Buffer }>,
  close = true,
): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let disposition = 'form-data';
    if (part.name !== undefined) disposition += `; name="${part.name}"`;
    if (part.filename !== undefined) disposition += `; filename="${part.filename}"`;
    const type = part.type ? `\r\nContent-Type: ${part.type}` : '';
    chunks.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}${type}\r\n\r\n`),
      Buffer.from(part.content),
      Buffer.from('\r\n'),
    );
  }
  if (close) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

function post(port: number, path: string, type: string, body: Buffer | string, extra = ''): Promise<string> {
  const data = Buffer.isBuffer(body) ? body : Buffer.from(body);
  return rawRequest(
    port,
    Buffer.concat([
      Buffer.from(
        `POST ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: ${type}\r\nContent-Length: ${data.length}\r\n${extra}\r\n`,
      ),
      data,
    ]),
  );
}

const statusOf = (reply: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1] ?? 0);
const bodyOf = (reply: string): string => reply.slice(reply.indexOf('\r\n\r\n') + 4);

describe('request bodies over a real socket', () => {
  const app = bodiesApp();
  let port = 0;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    port = (await app.listen({ port: 0 })).port;
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await app.close();
  });

  async function stillServes(): Promise<void> {
    const reply = await fetch(`http://127.0.0.1:${port}/ping`);
    expect(await reply.text()).toBe('pong');
  }

  it('parses JSON of any kind before the handler, chunked or sized', async () => {
    for (const value of [{ a: [1, 'č'] }, [1, 2], 'text', 42, null, true]) {
      const reply = await fetch(`http://127.0.0.1:${port}/json`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(value),
      });
      expect((await reply.json()) as unknown).toEqual({ json: value, polluted: null });
    }
    const chunked = await fetch(`http://127.0.0.1:${port}/json`, {
      method: 'PUT',
      headers: { 'content-type': 'application/merge-patch+json' },
      body: new Blob(['{"chun', 'ked": true}']).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(await chunked.json()).toEqual({ json: { chunked: true }, polluted: null });
    const bom = await fetch(`http://127.0.0.1:${port}/json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=UTF-8' },
      body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"bom":"ž"}')]),
    });
    expect(await bom.json()).toEqual({ json: { bom: 'ž' }, polluted: null });
    const latin = await fetch(`http://127.0.0.1:${port}/json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=iso-8859-2' },
      body: Buffer.from([0x22, 0xbe, 0x22]),
    });
    expect(await latin.json()).toEqual({ json: 'ž', polluted: null });
  });

  it('after the automatic JSON parse, body(), text() and parseBody() give the bytes already read', async () => {
    const body = JSON.stringify({ again: ['ř', 1] });
    const reply = await fetch(`http://127.0.0.1:${port}/json-again`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(await reply.json()).toEqual({ json: { again: ['ř', 1] }, length: Buffer.byteLength(body), same: true });
  });

  it('keeps __proto__ and constructor keys as data (no prototype pollution)', async () => {
    const body = '{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}}';
    const reply = await post(port, '/json', 'application/json', body);
    expect(statusOf(reply)).toBe(200);
    expect(JSON.parse(bodyOf(reply))).toEqual({
      json: { ['__proto__']: { polluted: 'yes' }, constructor: { prototype: { polluted: 'yes' } } },
      polluted: null,
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['invalid JSON', 'application/json', '{"a": ', 400, 'invalid JSON body'],
    ['a NUL byte', 'application/json', '\0', 400, 'invalid JSON body'],
    ['an unknown charset', 'application/json; charset=klingon', '{}', 400, 'not valid klingon'],
    [
      'bytes invalid in the charset',
      'application/json; charset=utf-8',
      Buffer.from([0x22, 0xff, 0x22]),
      400,
      'not valid utf-8',
    ],
    ['a JSON body over limits.body', 'application/json', `"${'x'.repeat(70 * 1024)}"`, 413, 'larger than'],
    [
      'a urlencoded body over limits.fieldsSize',
      'application/x-www-form-urlencoded',
      `a=${'x'.repeat(2000)}`,
      413,
      'larger than',
    ],
    ['too many urlencoded fields', 'application/x-www-form-urlencoded', 'a=1&b=2&c=3&d=4&e=5&f=6', 413, 'more than 5'],
    ['multipart without a boundary', 'multipart/form-data', 'x', 400, 'malformed form body'],
    [
      'a multipart boundary mismatch',
      'multipart/form-data; boundary=XYZ',
      multipart('ABC', [{ name: 'a', content: '1' }]),
      400,
      'malformed form body',
    ],
    [
      'truncated multipart',
      'multipart/form-data; boundary=XYZ',
      multipart('XYZ', [{ name: 'a', content: '1' }], false).subarray(0, 60),
      400,
      'malformed form body',
    ],
    [
      'a part without a name',
      'multipart/form-data; boundary=XYZ',
      multipart('XYZ', [{ content: 'nameless' }]),
      400,
      'has no name',
    ],
    [
      'a multipart field over fieldsSize',
      'multipart/form-data; boundary=XYZ',
      multipart('XYZ', [{ name: 'a', content: 'y'.repeat(2000) }]),
      413,
      'form body too large',
    ],
    [
      'too many multipart fields',
      'multipart/form-data; boundary=XYZ',
      multipart(
        'XYZ',
        ['a', 'b', 'c', 'd', 'e', 'f'].map((name) => ({ name, content: '1' })),
      ),
      413,
      'maxFields',
    ],
    [
      'too many files',
      'multipart/form-data; boundary=XYZ',
      multipart(
        'XYZ',
        ['a', 'b', 'c', 'd'].map((name) => ({ name, filename: `${name}.txt`, type: 'text/plain', content: '1' })),
      ),
      413,
      'maxFiles',
    ],
    [
      'a file over limits.fileSize',
      'multipart/form-data; boundary=XYZ',
      multipart('XYZ', [
        { name: 'f', filename: 'big.bin', type: 'application/octet-stream', content: randomBytes(300 * 1024) },
      ]),
      413,
      '262144',
    ],
  ])('%s → %d', async (_name, type, body, status, message) => {
    const reply = await post(port, type.startsWith('application/json') ? '/json' : '/form', type, body);
    expect(statusOf(reply)).toBe(status);
    expect(bodyOf(reply), bodyOf(reply).match(/<pre>[^<]*/)?.[0]).toContain(message);
    await stillServes();
  });

  it('removes the temporary files of refused uploads', async () => {
    await post(
      port,
      '/form',
      'multipart/form-data; boundary=XYZ',
      multipart('XYZ', [
        { name: 'f', filename: 'big.bin', type: 'application/octet-stream', content: randomBytes(300 * 1024) },
      ]),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(readdirSync(uploadDir)).toEqual([]);
  });

  it('streams uploads to uploadDir, checked by SHA-256, and removes them after the response', async () => {
    const first = randomBytes(200 * 1024);
    const second = Buffer.from('plain text file\n');
    const form = new FormData();
    form.append('title', 'Two files');
    form.append('tag', 'a');
    form.append('tag', 'b');
    form.append('upload', new Blob([first], { type: 'application/octet-stream' }), 'random.bin');
    form.append('notes', new Blob([second], { type: 'text/plain' }), 'notes.txt');
    const reply = await fetch(`http://127.0.0.1:${port}/form`, { method: 'POST', body: form });
    expect(reply.status).toBe(200);
    const result = (await reply.json()) as {
      text: Record<string, string[]>;
      files: Record<string, { filename: string; type: string; size: number; sha256: string; path: string }>;
    };
    expect(result.text).toMatchObject({ title: ['Two files'], tag: ['a', 'b'] });
    expect(result.files.upload).toMatchObject({
      filename: 'random.bin',
      type: 'application/octet-stream',
      size: first.length,
      sha256: sha256(first),
    });
    expect(result.files.notes).toMatchObject({
      filename: 'notes.txt',
      type: 'text/plain',
      size: second.length,
      sha256: sha256(second),
    });
    expect(result.files.upload?.path.startsWith(uploadDir)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(readdirSync(uploadDir)).toEqual([]);
  });

  it('urlencoded forms: repeated keys, blank values dropped, prototype-free', async () => {
    const reply = await post(
      port,
      '/form',
      'application/x-www-form-urlencoded',
      'a=1&a=2&blank=&__proto__=x&sp=a+b%21',
    );
    expect(JSON.parse(bodyOf(reply))).toEqual({
      text: { a: ['1', '2'], ['__proto__']: ['x'], sp: ['a b!'] },
      files: {},
    });
  });

  it('leaves other bodies untouched for body(), text() and streaming', async () => {
    const data = randomBytes(50_000);
    const raw = await post(port, '/raw', 'application/octet-stream', data);
    expect(JSON.parse(bodyOf(raw))).toEqual({ length: 50_000 });
    const streamed = await post(port, '/stream', 'application/octet-stream', randomBytes(500_000));
    expect(JSON.parse(bodyOf(streamed))).toEqual({ size: 500_000 });
  });

  it('a Content-Length smaller than the body: the rest is a bad next request → 400, the server goes on', async () => {
    const reply = await rawRequest(
      port,
      'POST /json HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}GARBAGE\r\n\r\n',
    );
    expect(reply).toMatch(/HTTP\/1\.1 400/);
    await stillServes();
  });

  it('a Content-Length larger than the body, then end of input: dropped or 400, the server goes on', async () => {
    const reply = await rawRequest(
      port,
      'POST /json HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":1}',
      1000,
    );
    // Node treats a body cut short by the client as an aborted request: nothing to answer to.
    expect(reply === '' || /^HTTP\/1\.1 400/.test(reply)).toBe(true);
    await stillServes();
  });

  it('a client aborting mid-upload: temporary file removed, no unhandled rejection', async () => {
    const boundary = 'ABORT';
    await new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        const head = `POST /form HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: 1000000\r\n\r\n`;
        socket.write(
          head + `--${boundary}\r\nContent-Disposition: form-data; name="f"; filename="partial.bin"\r\n\r\n`,
        );
        socket.write(randomBytes(100_000), () =>
          setTimeout(() => {
            socket.destroy();
            resolve();
          }, 100),
        );
      });
      socket.on('error', () => resolve());
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(readdirSync(uploadDir)).toEqual([]);
    expect(unhandled).toEqual([]);
    await stillServes();
  });
});

describe('custom upload storage and manual parsing', () => {
  it('fileCallback receives every file as a stream (custom storage)', async () => {
    const stored = new Map<string, Buffer[]>();
    const app = new Application('storage', {
      logger: false,
      fileCallback: ({ filename }) => {
        const chunks: Buffer[] = [];
        stored.set(filename, chunks);
        return new Writable({
          write(chunk: Buffer, _encoding, callback) {
            chunks.push(chunk);
            callback();
          },
        });
      },
    });
    app.route(
      '/upload',
      (req) =>
        req.form
          .getList('file')
          .map((file) =>
            file instanceof UploadedFile ? { name: file.filename, size: file.size, path: file.path ?? null } : file,
          ),
      'POST',
    );
    const content = randomBytes(100_000);
    const form = new FormData();
    form.append('file', new Blob([content]), 'custom.bin');
    const { port } = await app.listen({ port: 0 });
    try {
      const reply = await fetch(`http://127.0.0.1:${port}/upload`, { method: 'POST', body: form });
      expect(await reply.json()).toEqual([{ name: 'custom.bin', size: 100_000, path: null }]);
      expect(sha256(Buffer.concat(stored.get('custom.bin') ?? []))).toBe(sha256(content));
    } finally {
      await app.close();
    }
  });

  it('a storage slower than the network holds the upload back instead of buffering it', async () => {
    // Each write waits 2 ms. The lag = bytes the client could send - bytes stored: without
    // backpressure the body piles up in the server's memory (tens of megabytes); with it, the
    // lag stays within the socket buffers.
    let stored = 0;
    let sent = 0;
    let lag = 0;
    const hash = createHash('sha256');
    const app = new Application('slow-storage', {
      logger: false,
      limits: { fileSize: 64 << 20 },
      fileCallback: () =>
        new Writable({
          write(chunk: Buffer, _encoding, callback) {
            hash.update(chunk);
            stored += chunk.length;
            setTimeout(callback, 2);
          },
        }),
    });
    app.route('/upload', (req) => ({ size: (req.form.getFirst('file') as UploadedFile).size }), 'POST');
    const size = 40 << 20;
    const block = randomBytes(1 << 16);
    const expected = createHash('sha256');
    const head = Buffer.from(
      '--b\r\nContent-Disposition: form-data; name="file"; filename="slow.bin"\r\n' +
        'Content-Type: application/octet-stream\r\n\r\n',
    );
    const tail = Buffer.from('\r\n--b--\r\n');
    const { port } = await app.listen({ port: 0 });
    const sample = setInterval(() => (lag = Math.max(lag, sent - stored)), 1);
    try {
      const reply = await new Promise<string>((resolve, reject) => {
        const req = httpRequest(
          {
            port,
            method: 'POST',
            path: '/upload',
            headers: {
              'content-type': 'multipart/form-data; boundary=b',
              'content-length': head.length + size + tail.length,
            },
          },
          (res) => {
            let text = '';
            res.on('data', (chunk: Buffer) => (text += chunk.toString()));
            res.on('end', () => resolve(text));
          },
        );
        req.on('error', reject);
        req.write(head);
        const pump = (): void => {
          while (sent < size) {
            expected.update(block);
            sent += block.length;
            if (!req.write(block)) return void req.once('drain', pump);
          }
          req.end(tail);
        };
        pump();
      });
      expect(JSON.parse(reply)).toEqual({ size });
      expect(hash.digest('hex')).toBe(expected.digest('hex'));
      expect(lag).toBeLessThan(16 << 20);
    } finally {
      clearInterval(sample);
      await app.close();
    }
  });

  it('close() resolves only after the temporary uploads of finished requests are removed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'poor-close-'));
    const app = new Application('close-removals', { logger: false, uploadDir: dir });
    app.route('/upload', (req) => ({ size: (req.form.getFirst('file') as UploadedFile).size }), 'POST');
    const { port } = await app.listen({ port: 0 });
    try {
      const files = Array.from({ length: 20 }, (_, index) => randomBytes(64 * 1024 + index));
      const replies = await Promise.all(
        files.map((content, index) => {
          const form = new FormData();
          form.append('file', new Blob([content]), `f${index}.bin`);
          return fetch(`http://127.0.0.1:${port}/upload`, { method: 'POST', body: form }).then((reply) => reply.json());
        }),
      );
      expect(replies).toEqual(files.map((content) => ({ size: content.length })));
      await app.close(); // what a process does right before exiting
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('autoForm off leaves the stream for the handler; readForm() parses on demand', async () => {
    const app = new Application('manual', { logger: false, autoForm: false });
    app.route(
      '/manual',
      async (req) => {
        const before = req.form.size;
        const form = await req.readForm({ limits: { fields: 10 } });
        return { before, after: form.getFirst('a') };
      },
      'POST',
    );
    const reply = await app.inject({
      url: '/manual',
      method: 'POST',
      body: 'a=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(reply.json()).toEqual({ before: 0, after: '1' });
  });

  it('a slow client is cut by the server timeouts with 408 and the server goes on', async () => {
    const app = new Application('slow', { logger: false });
    app.route('/json', (req) => ({ json: req.json ?? null }), 'POST');
    app.route('/ping', () => 'pong');
    const { port } = await app.listen({ port: 0, requestTimeout: 300 });
    try {
      const reply = await new Promise<string>((resolve) => {
        const socket = connect(port, '127.0.0.1', () =>
          socket.write(
            'POST /json HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n{"a"',
          ),
        );
        let received = '';
        socket.setEncoding('latin1');
        socket.on('data', (chunk: string) => (received += chunk));
        socket.on('close', () => resolve(received));
        socket.on('error', () => resolve(received));
      });
      expect(reply).toMatch(/^HTTP\/1\.1 408/);
      expect(await (await fetch(`http://127.0.0.1:${port}/ping`)).text()).toBe('pong');
    } finally {
      await app.close();
    }
  });
});

describe('file parts without a Content-Type (RFC 7578 §4.2, §4.4)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'poor-typeless-'));
  const app = new Application('typeless', { logger: false, uploadDir: dir, limits: { files: 2, fileSize: 1024 } });
  app.route(
    '/upload',
    (req) =>
      req.form.keys().map((key) => {
        const value = req.form.getFirst(key);
        return value instanceof UploadedFile
          ? { key, file: value.filename, type: value.type, size: value.size }
          : { key, text: value };
      }),
    'POST',
  );
  let port = 0;
  beforeAll(async () => {
    ({ port } = await app.listen({ port: 0 }));
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("are files, as Python's requests sends them (no Content-Type in the part)", async (context) => {
    const { runRequests } = await import('./helpers/python.js');
    const out = await runRequests(
      context,
      `
r = requests.post('http://127.0.0.1:${port}/upload', files={'doc': ('notes.txt', b'hello file')}, data={'title': 'x'})
print(r.status_code, r.text)
r = requests.post('http://127.0.0.1:${port}/upload', files={'big': ('big.bin', b'z' * 5000)})
print(r.status_code)
r = requests.post('http://127.0.0.1:${port}/upload', files=[('a', ('a', b'1')), ('b', ('b', b'2')), ('c', ('c', b'3'))])
print(r.status_code)
`,
    );
    const [first = '', big, many] = out.trim().split('\n');
    const [status, ...body] = first.split(' ');
    expect(status).toBe('200');
    expect(JSON.parse(body.join(' '))).toEqual([
      { key: 'title', text: 'x' },
      { key: 'doc', file: 'notes.txt', type: 'text/plain', size: 10 },
    ]);
    // the file limits hold for them: a file over fileSize, more files than allowed
    expect(big).toBe('413');
    expect(many).toBe('413');
  });
});
