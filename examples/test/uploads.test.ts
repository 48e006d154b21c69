// The large-file and put-file examples over real sockets: every storage reports the real
// SHA-256 of what was sent. With POOR_HEAVY=1 (set by .ci/run) a 1 GiB upload, multipart and
// PUT, runs against the example in its own process while its RSS is sampled.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '@poor/core';
import { app as largeFile } from '../large-file.js';
import { app as putFile } from '../put-file.js';
import { upload } from './upload-client.js';

const MB = 1 << 20;

async function base(app: Application): Promise<string> {
  const { port } = await app.listen({ port: 0 });
  return `http://127.0.0.1:${port}`;
}

function checksumOf(body: string): string | undefined {
  return /SHA256: ([0-9a-f]{64})/.exec(body)?.[1];
}

describe('examples/large-file.ts URL contract', () => {
  let url = '';
  beforeAll(async () => {
    url = await base(largeFile);
  });
  afterAll(() => largeFile.close());

  it('lists the three storages on /', async () => {
    const text = await (await fetch(`${url}/`)).text();
    for (const name of ['/blackhole', '/temporary', '/no-factory']) expect(text).toContain(`href="${name}"`);
  });

  it.each(['blackhole', 'temporary', 'no-factory'])(
    '/%s reports size, time, speed and the real SHA-256',
    async (name) => {
      const page = await fetch(`${url}/${name}`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('enctype="multipart/form-data"');
      const result = await upload(`${url}/${name}`, 5 * MB + 17, 'multipart');
      expect(result.status).toBe(200);
      expect(checksumOf(result.body)).toBe(result.sha256);
      expect(result.body).toMatch(/Upload: 5\.00M in \d+\.\d{3}s -&#62; \d+\.\d\d[kMG]?ps/);
    },
  );

  it('answers 400 to a POST without content', async () => {
    const reply = await fetch(`${url}/blackhole`, { method: 'POST' });
    expect(reply.status).toBe(400);
    expect(await reply.text()).toContain('Missing content length or no content');
  });
});

describe('examples/put-file.ts URL contract', () => {
  let url = '';
  beforeAll(async () => {
    url = await base(putFile);
  });
  afterAll(() => putFile.close());

  it.each(['blackhole', 'temporary'])('PUT /%s/<filename> answers uploaded, checksum and filename', async (name) => {
    const result = await upload(`${url}/${name}/report%20v2.bin`, 3 * MB + 5, 'put');
    expect(result.status).toBe(200);
    expect(JSON.parse(result.body)).toEqual({
      uploaded: 3 * MB + 5,
      checksum: result.sha256,
      filename: 'report v2.bin',
    });
  });

  it('takes any content type as a raw body, JSON included', async () => {
    const reply = await fetch(`${url}/blackhole/a.json`, {
      method: 'PUT',
      body: '{"a":',
      headers: { 'content-type': 'application/json' },
    });
    expect(reply.status).toBe(200);
    expect(((await reply.json()) as { uploaded: number }).uploaded).toBe(5);
  });

  it('answers 405 to a GET on a PUT route', async () => {
    expect((await fetch(`${url}/blackhole/x`)).status).toBe(405);
  });
});

// ── 1 GiB, RSS measured in the server's own process ─────────────────────────────────────

const heavy = process.env.POOR_HEAVY === '1';
const root = dirname(dirname(dirname(fileURLToPath(import.meta.url))));

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

/** Starts an example with tsx in its own process on a free port; resolves with its URL. */
function startExample(name: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'examples', `${name}.ts`)], {
    cwd: root,
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const found = /listening on (http:\/\/\S+?)\/?\s/.exec(out);
      if (found?.[1]) resolve({ child, url: found[1] });
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}: ${out}`)));
  });
}

/** Uploads while sampling the server's RSS; returns the growth over the pre-upload level. */
async function measured(pid: number, run: () => Promise<void>): Promise<number> {
  const before = rssOf(pid);
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 20);
  try {
    await run();
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, rssOf(pid)) - before;
}

describe.runIf(heavy && existsSync('/proc/self/status'))('1 GiB uploads (POOR_HEAVY=1)', () => {
  const GiB = 1 << 30;
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) child.kill('SIGTERM');
  });

  it.each([
    ['large-file', '/blackhole', 'multipart'],
    ['large-file', '/temporary', 'multipart'],
    ['large-file', '/no-factory', 'multipart'],
    ['put-file', '/blackhole/big.bin', 'put'],
    ['put-file', '/temporary/big.bin', 'put'],
  ] as const)(
    '%s %s (%s): right checksum, server RSS grows < 128 MB (streamed, not held)',
    async (example, path, kind) => {
      const { child, url } = await startExample(example);
      children.push(child);
      const warm = await upload(`${url}${path}`, 4 * MB, kind);
      expect(warm.status).toBe(200);
      let result = warm;
      const growth = await measured(child.pid as number, async () => {
        result = await upload(`${url}${path}`, GiB, kind);
      });
      console.log(`${example} ${path}: 1 GiB, server RSS growth ${(growth / MB).toFixed(1)} MB`);
      expect(result.status).toBe(200);
      expect(result.body).toContain(result.sha256);
      // Streamed, never held: an eighth of the upload at most. Node 20 and 22 grow ~30 MB here,
      // Node 24 up to ~70 MB (its collector waits longer); how much is bench:upload's business,
      // the test's is that 1 GiB is not kept in memory.
      expect(growth).toBeLessThan(GiB / 8);
      child.kill('SIGTERM');
    },
    180_000,
  );
});
