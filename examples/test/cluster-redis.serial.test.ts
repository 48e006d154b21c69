// Beyond one process (issue 26): the `cluster` example with two workers behind one port and
// REDIS_URL set, against Debian's redis-server on loopback. A Digest header replayed to the
// other worker is refused, a publication on one worker reaches a websocket client of the
// other once, a rate limit counts across both; a wrong REDIS_URL stops the start-up. Every
// request goes on a new connection, so the kernel spreads them over the workers; each answer
// names its worker (X-Worker).
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { authorize, challenge } from '../../packages/core/test/helpers/digest-client.js';
import { hasRedis, startRedis, type RedisServer } from '../../packages/redis/test/redis-server.js';

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

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
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

describe.skipIf(!hasRedis)('the cluster example on Redis (two workers, one port)', () => {
  let redis: RedisServer;
  let cluster: ChildProcess | undefined;
  let port = 0;

  beforeAll(async () => {
    redis = await startRedis();
    port = await freePort();
    const started = startCluster({ PORT: String(port), REDIS_URL: redis.url });
    cluster = started.child;
    await started.ready;
    // Both workers answer (the kernel spreads new connections); give up after 200 tries.
    const seen = new Set<string>();
    for (let attempt = 0; seen.size < 2; attempt += 1) {
      if (attempt > 200) throw new Error(`only worker(s) ${[...seen].join(', ')} answered`);
      seen.add((await call(port, 'GET', '/')).worker);
    }
  }, 60_000);

  afterAll(async () => {
    if (cluster && cluster.exitCode === null) {
      const exited = new Promise((resolve) => cluster?.once('exit', resolve));
      cluster.kill('SIGTERM');
      await exited;
    }
    await redis?.stop();
  });

  it('refuses a Digest header replayed to the other worker', async () => {
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

  it('counts a rate limit across both workers', async () => {
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

  it('delivers a publication on one worker to the room on both, once each', async () => {
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

  it('stops at start-up with a clear message when REDIS_URL is wrong', async () => {
    const wrong = `redis://127.0.0.1:${await freePort()}`;
    const started = startCluster({ PORT: String(await freePort()), REDIS_URL: wrong });
    const code = await new Promise<number | null>((resolve) => started.child.once('exit', resolve));
    await started.ready.catch(() => undefined);
    expect(code).toBe(1);
    expect(started.output()).toContain(`REDIS_URL=${wrong}: cannot connect to Redis`);
  });
});
