// The deployment guide, tested: Debian's nginx on loopback as the reverse proxy in front of
// the `cluster` example (two node:cluster workers, trustProxy: one hop). Requests, the
// X-Forwarded-* headers, a websocket echo and an upload go through nginx, and a rolling
// restart (SIGHUP to the primary) under load loses no request. Skips with a message where
// nginx is missing; .ci/run installs it and sets POOR_NGINX_REQUIRED=1.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lineOf } from '../../packages/core/test/helpers/processes.js';
import { freePort, nginx, nginxConf, waitForPort } from './helpers-nginx.js';
import { WebSocket } from 'ws';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
describe.skipIf(!nginx)('behind nginx: the cluster example', () => {
  const dir = mkdtempSync(join(tmpdir(), 'poor-nginx-'));
  let primary: ChildProcess;
  let proxy: ChildProcess;
  let base = '';
  let output = '';

  beforeAll(async () => {
    const app = await freePort();
    const front = await freePort();
    primary = spawn(process.execPath, ['--import', 'tsx', join(root, 'examples', 'cluster.ts')], {
      cwd: root,
      env: { ...process.env, PORT: String(app), HOST: '127.0.0.1', WORKERS: '2', TRUST_PROXY: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    primary.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    primary.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await lineOf(primary, /workers listening/, 30_000);
    for (const temp of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, temp));
    writeFileSync(join(dir, 'nginx.conf'), nginxConf(dir, front, [app]));
    proxy = spawn(nginx as string, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'ignore' });
    await waitForPort(front);
    base = `http://127.0.0.1:${front}`;
  }, 60_000);

  afterAll(async () => {
    if (proxy && proxy.exitCode === null) {
      proxy.kill('SIGQUIT');
      await once(proxy, 'exit');
    }
    if (primary && primary.exitCode === null) {
      primary.kill('SIGTERM');
      await once(primary, 'exit');
    }
    if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true });
  });

  it('answers through nginx, believing X-Forwarded-* from it (one hop) and nothing further', async () => {
    const reply = await fetch(`${base}/`, { headers: { 'x-forwarded-for': '203.0.113.7' } });
    expect(reply.status).toBe(200);
    const body = (await reply.json()) as Record<string, unknown>;
    // the spoofed 203.0.113.7 is one hop further than nginx: not believed
    expect(body.client).toBe('127.0.0.1');
    // nginx passes Host without the port; the port comes from X-Forwarded-Host, believed
    expect(body.home).toBe(`${base}/`);
    expect(body.protocol).toBe('http');
    expect(body.requestId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('spreads requests over both workers', async () => {
    const workers = new Set<unknown>();
    for (let index = 0; index < 20; index += 1) {
      workers.add(((await (await fetch(`${base}/`)).json()) as { worker: number }).worker);
    }
    expect(workers.size).toBe(2);
  });

  it('proxies a websocket', async () => {
    const client = new WebSocket(`${base.replace('http', 'ws')}/ws`);
    await once(client, 'open');
    const answer = once(client, 'message');
    client.send('through nginx');
    expect(String((await answer)[0])).toBe('echo: through nginx');
    client.close();
    await once(client, 'close');
  });

  it('takes a 5 MB upload', async () => {
    const bytes = Buffer.alloc(5 * 2 ** 20, 7);
    const form = new FormData();
    form.append('file', new Blob([bytes]), 'five.bin');
    const reply = await fetch(`${base}/upload`, { method: 'POST', body: form });
    expect(reply.status).toBe(200);
    expect(await reply.json()).toEqual({ name: 'five.bin', size: bytes.length });
  });

  it('loses no request in a rolling restart under load', { timeout: 180_000 }, async () => {
    const before = new Set<number>();
    for (let index = 0; index < 10; index += 1) {
      before.add(((await (await fetch(`${base}/`)).json()) as { worker: number }).worker);
    }
    let running = true;
    const failures: string[] = [];
    let done = 0;
    const client = async (kind: number): Promise<void> => {
      while (running) {
        try {
          // a request that never comes back counts as lost, not as a hung test
          const signal = AbortSignal.timeout(30_000);
          const reply =
            kind % 2 === 0
              ? await fetch(`${base}/slow?ms=30`, { signal })
              : await fetch(`${base}/upload`, { method: 'POST', body: new URLSearchParams({ note: 'x' }), signal });
          if (reply.status !== 200) failures.push(`status ${reply.status}: ${await reply.text()}`);
          else await reply.arrayBuffer();
          done += 1;
        } catch (error) {
          failures.push(String(error));
        }
      }
    };
    const clients = Array.from({ length: 6 }, (_, index) => client(index));
    await new Promise((resolve) => setTimeout(resolve, 300));
    // starting a worker compiles TypeScript (tsx): slow on a loaded machine
    const reloaded = lineOf(primary, /reloaded/, 120_000);
    primary.kill('SIGHUP');
    await reloaded;
    await new Promise((resolve) => setTimeout(resolve, 300));
    running = false;
    await Promise.all(clients);
    expect(failures).toEqual([]);
    expect(done).toBeGreaterThan(50);
    const after = new Set<number>();
    for (let index = 0; index < 10; index += 1) {
      after.add(((await (await fetch(`${base}/`)).json()) as { worker: number }).worker);
    }
    // every worker was replaced
    expect([...after].filter((pid) => before.has(pid))).toEqual([]);
    expect(output).not.toMatch(/died/);
    expect(readFileSync(join(dir, 'error.log'), 'utf8')).not.toMatch(/\[(error|crit|alert|emerg)\]/);
  });
});
