// Faults injected (issue 12 §3): the disk fills during an upload, a storage fails, a file
// changes while it streams, the process runs out of file descriptors, a client sends its
// headers slowly. The server's faults are 5xx without a stack and logged once at error; the
// server keeps serving.
import { execFileSync, spawn } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { once } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { Application, FileResponse, GeneratorResponse } from '../src/index.js';
import { recordingLogger, until } from './helpers/transports.js';

const dir = mkdtempSync(join(tmpdir(), 'poor-faults-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function upload(port: number, size: number): Promise<{ status: number; text: string }> {
  const form = new FormData();
  form.append('file', new Blob([Buffer.alloc(size, 1)]), 'data.bin');
  const reply = await fetch(`http://127.0.0.1:${port}/upload`, { method: 'POST', body: form });
  return { status: reply.status, text: await reply.text() };
}

function uploadApp(options: ConstructorParameters<typeof Application>[1]): {
  app: Application;
  log: ReturnType<typeof recordingLogger>;
} {
  const log = recordingLogger();
  const app = new Application('faults', { logger: log, ...options });
  app.route('/upload', (req) => ({ fields: req.form.size }), 'POST');
  app.route('/ok', () => 'ok');
  return { app, log };
}

describe('storage faults during an upload', () => {
  it.skipIf(!existsSync('/dev/full'))(
    'a full disk (ENOSPC from /dev/full) is a 507, logged once, no stack shown',
    async () => {
      const { app, log } = uploadApp({ fileCallback: () => createWriteStream('/dev/full') });
      const { port } = await app.listen({ port: 0 });
      try {
        const reply = await upload(port, 300_000);
        expect(reply.status).toBe(507);
        expect(reply.text).toContain('507 - Insufficient Storage');
        expect(reply.text).not.toMatch(/ENOSPC|at .*\.js/);
        const errors = log.lines.filter((line) => line.level === 'error');
        expect(errors).toHaveLength(1);
        expect(errors[0]?.text).toMatch(/storing an upload of POST \/upload failed \(answered 507\)[\s\S]*ENOSPC/);
        expect(await (await fetch(`http://127.0.0.1:${port}/ok`)).text()).toBe('ok');
      } finally {
        await app.close();
      }
    },
  );

  it('another storage failure is a 500, and the storage stream is destroyed', async () => {
    let destroyed = false;
    const failing = (): Writable =>
      new Writable({
        write(_chunk, _encoding, callback) {
          callback(Object.assign(new Error('disk on fire'), { code: 'EIO' }));
        },
        destroy(error, callback) {
          destroyed = true;
          callback(error);
        },
      });
    const { app, log } = uploadApp({ fileCallback: failing });
    const { port } = await app.listen({ port: 0 });
    try {
      expect((await upload(port, 100_000)).status).toBe(500);
      expect(destroyed).toBe(true);
      expect(log.lines.filter((line) => line.level === 'error')).toHaveLength(1);
    } finally {
      await app.close();
    }
  });

  it("a storage error after the client aborted is the client's doing, not a server error (issue 25, 7)", async () => {
    // A slow disk: each write completes a little later. When the client goes away mid-file,
    // the storage then reports what a destroyed file stream does (ERR_STREAM_DESTROYED), after
    // the server saw the abort.
    let storage: Writable | undefined;
    let stored = 0;
    const slow = (): Writable =>
      (storage = new Writable({
        highWaterMark: 1024,
        write(chunk: Buffer, _encoding, callback) {
          stored += chunk.length;
          setTimeout(callback, 1);
        },
      }));
    const { app, log } = uploadApp({ fileCallback: slow });
    let raw: IncomingMessage | undefined;
    app.addHook('onRequest', (req) => void (raw = req.raw));
    const { port } = await app.listen({ port: 0 });
    try {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => undefined);
      await once(socket, 'connect');
      socket.write(
        'POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=B\r\n' +
          'Content-Length: 6291456\r\n\r\n--B\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n' +
          'Content-Type: application/octet-stream\r\n\r\n',
      );
      socket.write(Buffer.alloc(1024 * 1024, 1));
      await until(
        () => stored >= 64 * 1024,
        () => `the storage received ${stored} bytes`,
      );
      const closed = new Promise((resolve) => raw?.once('close', resolve));
      socket.destroy();
      await closed;
      const late = Object.assign(new Error('Cannot call writev after a stream was destroyed'), {
        code: 'ERR_STREAM_DESTROYED',
      });
      storage?.emit('error', late);
      expect((await fetch(`http://127.0.0.1:${port}/ok`)).status).toBe(200);
      expect(log.lines.filter((line) => line.level === 'error' || line.level === 'warn')).toEqual([]);
    } finally {
      await app.close();
    }
  });

  // A real file system that fills up: a 256 KiB tmpfs (root only; skipped elsewhere).
  const mountPoint = join(dir, 'tmpfs');
  let mounted = false;
  try {
    mkdirSync(mountPoint);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mountPoint], { stdio: 'ignore' });
    mounted = true;
  } catch {
    console.warn('full-disk test on tmpfs skipped: mount needs root');
  }
  afterAll(() => {
    if (mounted) execFileSync('umount', [mountPoint]);
  });

  it.skipIf(!mounted)('the upload dir filling up is a 507 and leaves no temporary file', async () => {
    const { app } = uploadApp({ uploadDir: mountPoint });
    const { port } = await app.listen({ port: 0 });
    try {
      expect((await upload(port, 1024 * 1024)).status).toBe(507);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(readdirSync(mountPoint)).toEqual([]);
      // a small upload fits and works afterwards
      expect((await upload(port, 10_000)).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});

describe('a file that changes while it streams', () => {
  const file = join(dir, 'big.bin');
  const SIZE = 16 * 2 ** 20;

  /** Reads /big; once 1 MiB has arrived, `act` runs. */
  function read(port: number, act: () => void): Promise<{ got: number; ended: boolean; declared: number }> {
    return new Promise((resolve) => {
      const req = request({ host: '127.0.0.1', port, path: '/big', agent: false }, (res) => {
        let got = 0;
        let acted = false;
        const declared = Number(res.headers['content-length']);
        res.on('data', (chunk: Buffer) => {
          got += chunk.length;
          if (!acted && got > 2 ** 20) {
            acted = true;
            act();
          }
        });
        res.on('end', () => resolve({ got, ended: true, declared }));
        res.on('aborted', () => resolve({ got, ended: false, declared }));
        res.on('error', () => resolve({ got, ended: false, declared }));
      });
      req.on('error', () => resolve({ got: -1, ended: false, declared: -1 }));
      req.end();
    });
  }

  it('truncated: the connection closes (the client sees a cut body, not a hang), logged once', async () => {
    writeFileSync(file, Buffer.alloc(SIZE, 7));
    const log = recordingLogger();
    const app = new Application('truncate', { logger: log });
    app.route('/big', () => new FileResponse(file));
    const { port } = await app.listen({ port: 0 });
    try {
      const result = await read(port, () => truncateSync(file, 3 * 2 ** 20));
      expect(result.ended).toBe(false);
      expect(result.declared).toBe(SIZE);
      expect(result.got).toBeLessThan(SIZE);
      const errors = log.lines.filter((line) => line.level === 'error').map((line) => line.text);
      expect(errors).toEqual([expect.stringMatching(/ended after \d+ of its 16777216 bytes; connection closed/)]);
      writeFileSync(file, 'small');
      expect(await (await fetch(`http://127.0.0.1:${port}/big`)).text()).toBe('small');
    } finally {
      await app.close();
    }
  });

  it('deleted or replaced: the open file is sent whole, as it was', async () => {
    const app = new Application('replace', { logger: false });
    app.route('/big', () => new FileResponse(file));
    const { port } = await app.listen({ port: 0 });
    try {
      writeFileSync(file, Buffer.alloc(SIZE, 7));
      const deleted = await read(port, () => unlinkSync(file));
      expect(deleted).toEqual({ got: SIZE, ended: true, declared: SIZE });
      writeFileSync(file, Buffer.alloc(SIZE, 7));
      const replaced = await read(port, () => {
        writeFileSync(`${file}.new`, 'new content');
        renameSync(`${file}.new`, file);
      });
      expect(replaced).toEqual({ got: SIZE, ended: true, declared: SIZE });
      expect(await (await fetch(`http://127.0.0.1:${port}/big`)).text()).toBe('new content');
    } finally {
      await app.close();
    }
  });
});

describe('out of file descriptors (EMFILE)', () => {
  it(
    'a server limited to 64 descriptors survives 300 connections and serves afterwards',
    { timeout: 30_000 },
    async () => {
      const script = join(dir, 'emfile-server.mjs');
      const core = new URL('../dist/index.js', import.meta.url).href;
      writeFileSync(
        script,
        `import { Application } from ${JSON.stringify(core)};
const app = new Application('emfile', { logger: false });
app.route('/ok', () => 'ok');
const { port } = await app.listen({ port: 0 });
console.log('port ' + port);`,
      );
      const child = spawn(
        'bash',
        ['-c', `ulimit -n 64 && exec ${JSON.stringify(process.execPath)} ${JSON.stringify(script)}`],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      try {
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
        while (!/port \d+/.test(output)) await new Promise((resolve) => setTimeout(resolve, 20));
        const port = Number(/port (\d+)/.exec(output)?.[1]);
        const sockets = Array.from({ length: 300 }, () => connect(port, '127.0.0.1').on('error', () => undefined));
        await new Promise((resolve) => setTimeout(resolve, 1000));
        expect(child.exitCode).toBeNull();
        for (const socket of sockets) socket.destroy();
        await new Promise((resolve) => setTimeout(resolve, 500));
        const reply = await fetch(`http://127.0.0.1:${port}/ok`);
        expect(await reply.text()).toBe('ok');
      } finally {
        child.kill();
      }
    },
  );
});

/** Sends `head`, then `drip` every 100 ms until the server closes; resolves with its answer. */
function dripUntilClosed(port: number, head: string, drip: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('close', () => resolve(text));
    socket.on('error', () => undefined);
    socket.write(head);
    const timer = setInterval(() => socket.writable && socket.write(drip), 100);
    socket.on('close', () => clearInterval(timer));
  });
}

describe('slow clients', () => {
  it('a body sent slowly gets a 408 after requestTimeout', async () => {
    const app = new Application('slow-body', { logger: false });
    app.route('/in', (req) => req.json as object, 'POST');
    const { port } = await app.listen({ port: 0, requestTimeout: 800 });
    try {
      // The 408 is the timeout's answer: without requestTimeout the drip would go on.
      const answer = await dripUntilClosed(
        port,
        'POST /in HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n[',
        '1,',
      );
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      // Problem details (issue 27, item 4), as every built-in error.
      expect(answer).toContain('\r\nContent-Type: application/problem+json\r\n');
      expect(answer).toMatch(/\r\n\r\n\{"type":"about:blank","title":"Request Timeout","status":408\}$/);
    } finally {
      await app.close();
    }
  });

  it('a slow reader of a large download holds the server to a few chunks ahead (backpressure)', async () => {
    const app = new Application('slow-reader', { logger: false });
    let produced = 0;
    const chunk = Buffer.alloc(64 * 1024, 1);
    app.route(
      '/download',
      () =>
        new GeneratorResponse(
          (function* () {
            for (let index = 0; index < 3200; index += 1) {
              produced += 1;
              yield chunk;
            }
          })(),
          { contentType: 'application/octet-stream' },
        ),
    );
    const { port } = await app.listen({ port: 0 });
    try {
      const received = await new Promise<{ atPause: number; total: number }>((resolve) => {
        const req = request({ host: '127.0.0.1', port, path: '/download', agent: false }, (res) => {
          let total = 0;
          let atPause = -1;
          res.on('data', (data: Buffer) => {
            total += data.length;
            if (atPause < 0 && total > 4 * 2 ** 20) {
              // stop reading for a second: the server must stop producing
              res.pause();
              setTimeout(() => {
                atPause = produced;
                res.resume();
              }, 1000);
            }
          });
          res.on('end', () => resolve({ atPause, total }));
        });
        req.end();
      });
      // 200 MB in all, but while the client paused, only socket buffers' worth got ahead
      expect(received.total).toBe(3200 * chunk.length);
      expect(received.atPause * chunk.length).toBeLessThan(4 * 2 ** 20 + 48 * 2 ** 20);
    } finally {
      await app.close();
    }
  });

  it('headers sent slowly get a 408 after headersTimeout, and the socket is freed', async () => {
    const app = new Application('slow', { logger: false });
    app.route('/ok', () => 'ok');
    const { port } = await app.listen({ port: 0, headersTimeout: 500, requestTimeout: 1000 });
    try {
      const answer = await dripUntilClosed(port, 'GET /ok HTTP/1.1\r\nHost: x\r\n', 'X-Drip: 1\r\n');
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(await (await fetch(`http://127.0.0.1:${port}/ok`)).text()).toBe('ok');
    } finally {
      await app.close();
    }
  });
});
