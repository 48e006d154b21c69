// Beyond one process (issue 26): the `cluster` example with REDIS_URL set, against Debian's
// redis-server on loopback, in two shapes: two workers behind one port, and two app hosts (two
// ports on loopback, a worker each) behind nginx — docs/deployment.md, "Several machines". A
// Digest header replayed to another worker is refused, a publication on one reaches a
// websocket client of another once, a rate limit counts across all; a wrong REDIS_URL stops
// the start-up. Every request goes on a new connection (the kernel, or nginx's round robin,
// spreads them); each answer names its worker (X-Worker).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { authorize, challenge } from '../../packages/core/test/helpers/digest-client.js';
import { hasRedis, startRedis, type RedisServer } from '../../packages/redis/test/redis-server.js';
import { freePort, nginx, nginxConf, waitForPort } from './helpers-nginx.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Reply {
  status: number;
  worker: string;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One request on a connection of its own. */
function call(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body = '',
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, worker: String(res.headers['x-worker']), headers: res.headers, text }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Starts the cluster example; resolves when it says its workers listen (or rejects with what it printed). */
function startCluster(env: Record<string, string>): {
  child: ChildProcess;
  ready: Promise<void>;
  output: () => string;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'examples', 'cluster.ts')], {
    cwd: root,
    env: { ...process.env, WORKERS: '2', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the cluster did not start: ${output}`)), 30_000);
    child.stdout?.on('data', () => {
      if (/workers listening/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the cluster exited with ${code}: ${output}`));
    });
  });
  return { child, ready, output: () => output };
}

/** A way to serve the example: its front port, and how to stop it. */
interface Topology {
  port: number;
  stop(): Promise<void>;
}

async function stopChild(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  await exited;
}

/** One cluster of two workers on one port. */
async function oneHost(redisUrl: string): Promise<Topology> {
  const port = await freePort();
  const started = startCluster({ PORT: String(port), REDIS_URL: redisUrl });
  await started.ready;
  return { port, stop: () => stopChild(started.child, 'SIGTERM') };
}

/** Two app hosts (a worker each, one secret) on two loopback ports, behind nginx. */
async function twoHostsBehindNginx(redisUrl: string): Promise<Topology> {
  const secret = 'shared-secret-of-the-site-'.repeat(2);
  const ports = [await freePort(), await freePort()];
  const hosts = ports.map((port) =>
    startCluster({ PORT: String(port), REDIS_URL: redisUrl, WORKERS: '1', TRUST_PROXY: '1', SECRET_KEY: secret }),
  );
  await Promise.all(hosts.map((host) => host.ready));
  const dir = mkdtempSync(join(tmpdir(), 'poor-nginx-'));
  for (const temp of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, temp));
  const front = await freePort();
  writeFileSync(join(dir, 'nginx.conf'), nginxConf(dir, front, ports));
  const proxy = spawn(nginx as string, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'ignore' });
  await waitForPort(front);
  return {
    port: front,
    async stop() {
      await stopChild(proxy, 'SIGQUIT');
      for (const host of hosts) await stopChild(host.child, 'SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const SHAPES: Array<[string, (redisUrl: string) => Promise<Topology>, boolean]> = [
  ['two workers behind one port', oneHost, true],
  ['two app hosts behind nginx ("Several machines")', twoHostsBehindNginx, Boolean(nginx)],
];

describe.skipIf(!hasRedis).each(SHAPES)('the cluster example on one Redis: %s', (_name, serve, available) => {
  let redis: RedisServer;
  let topology: Topology | undefined;
  let port = 0;

  beforeAll(async () => {
    if (!available) return;
    redis = await startRedis();
    topology = await serve(redis.url);
    port = topology.port;
    // Both workers answer; give up after 200 tries.
    const seen = new Set<string>();
    for (let attempt = 0; seen.size < 2; attempt += 1) {
      if (attempt > 200) throw new Error(`only worker(s) ${[...seen].join(', ')} answered`);
      seen.add((await call(port, 'GET', '/')).worker);
    }
  }, 60_000);

  afterAll(async () => {
    await topology?.stop();
    await redis?.stop();
  });

  it.skipIf(!available)('refuses a Digest header replayed to the other worker', async () => {
    const refused = await call(port, 'GET', '/private');
    const authorization = authorize(challenge(refused.headers['www-authenticate']), {
      user: 'demo',
      password: 'demo',
      uri: '/private',
    });
    const first = await call(port, 'GET', '/private', { authorization });
    expect(first.status).toBe(200);
    for (let attempt = 0; ; attempt += 1) {
      const replay = await call(port, 'GET', '/private', { authorization });
      expect(replay.status).toBe(401);
      if (replay.worker !== first.worker) break;
      if (attempt > 200) throw new Error(`every replay landed on worker ${first.worker}`);
    }
  });

  it.skipIf(!available)('counts a rate limit across both workers', async () => {
    const accepted: string[] = [];
    const refusedBy = new Set<string>();
    for (let attempt = 0; refusedBy.size < 2; attempt += 1) {
      if (attempt > 200) throw new Error(`accepted by ${accepted.join(', ')}; refused by ${[...refusedBy].join(', ')}`);
      const reply = await call(port, 'POST', '/login');
      if (reply.status === 200) accepted.push(reply.worker);
      else {
        expect(reply.status).toBe(429);
        refusedBy.add(reply.worker);
      }
    }
    // Five in all, whichever worker took them: each worker alone would have let five through.
    expect(accepted).toHaveLength(5);
  });

  it.skipIf(!available)('delivers a publication on one worker to the room on both, once each', async () => {
    const clients = new Map<string, { socket: WebSocket; messages: string[] }>();
    const opened: WebSocket[] = [];
    try {
      for (let attempt = 0; clients.size < 2; attempt += 1) {
        if (attempt > 200) throw new Error(`websockets reached only worker(s) ${[...clients.keys()].join(', ')}`);
        const socket = new WebSocket(`ws://127.0.0.1:${port}/chat/lobby`);
        opened.push(socket);
        const messages: string[] = [];
        const worker = await new Promise<string>((resolve, reject) => {
          socket.once('error', reject);
          socket.on('message', (data: Buffer) => {
            const text = data.toString();
            if (text.startsWith('ready ')) resolve(text.slice(6));
            else messages.push(text);
          });
        });
        if (!clients.has(worker)) clients.set(worker, { socket, messages });
      }
      await call(port, 'POST', '/say/lobby', {}, 'hello');
      await call(port, 'POST', '/say/lobby', {}, 'bye');
      for (const start = Date.now(); [...clients.values()].some(({ messages }) => messages.length < 2);) {
        if (Date.now() - start > 10_000) {
          throw new Error(`gave up waiting: ${JSON.stringify([...clients.values()].map(({ messages }) => messages))}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      for (const { messages } of clients.values()) expect(messages).toEqual(['hello', 'bye']);
    } finally {
      for (const socket of opened) socket.terminate();
    }
  });
});

describe.skipIf(!hasRedis)('the cluster example with a wrong REDIS_URL', () => {
  it('stops at start-up with a clear message when REDIS_URL is wrong', async () => {
    const wrong = `redis://127.0.0.1:${await freePort()}`;
    const started = startCluster({ PORT: String(await freePort()), REDIS_URL: wrong });
    const code = await new Promise<number | null>((resolve) => started.child.once('exit', resolve));
    await started.ready.catch(() => undefined);
    expect(code).toBe(1);
    expect(started.output()).toContain(`REDIS_URL=${wrong}: cannot connect to Redis`);
  });
});
