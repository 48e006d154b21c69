#!/usr/bin/env node
// Shared state on Redis, measured (`npm run bench:redis`, Debian's redis-server needed):
// 1. a Digest request with RedisNonceStore against the memory store: server CPU µs per request,
//    in paired rounds (the two stores alternate, a fresh server process each run);
// 2. websocket fan-out through RedisBroker: 1 000 clients spread over 2 server processes, 200
//    messages published on one of them: delivery latency (p50, p99) and deliveries per second.
// Environment: BENCH_ROUNDS (default 6), BENCH_REQUESTS (default 4 000 a run), BENCH_CLIENTS
// (default 1 000), BENCH_MESSAGES (default 200).
import { fork, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';

const here = dirname(fileURLToPath(import.meta.url));
const rounds = Number(process.env.BENCH_ROUNDS ?? 6);
const requests = Number(process.env.BENCH_REQUESTS ?? 4000);
const clientCount = Number(process.env.BENCH_CLIENTS ?? 1000);
const messageCount = Number(process.env.BENCH_MESSAGES ?? 200);

if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0) {
  console.log('redis-server is not installed (Debian: apt-get install redis-server)');
  process.exit(0);
}

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startRedis() {
  const port = await freePort();
  const dir = mkdtempSync(join(os.tmpdir(), 'poor-bench-redis-'));
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  await new Promise((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (output.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () => (child.kill('SIGKILL'), rmSync(dir, { recursive: true, force: true })),
  };
}

/** A server process of servers/redis-poor.js; `ask('stats')` gives its CPU time. */
async function startServer(env) {
  const child = fork(join(here, 'servers', 'redis-poor.js'), { env: { ...process.env, ...env }, stdio: 'inherit' });
  const port = await new Promise((resolve) => child.once('message', (message) => resolve(message.port)));
  const ask = (message) =>
    new Promise((resolve) => {
      child.once('message', resolve);
      child.send(message);
    });
  return { port, ask, stop: () => child.kill('SIGKILL') };
}

function get(agent, port, headers) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/private', headers, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res));
    });
    req.on('error', reject);
    req.end();
  });
}

const md5 = (text) => createHash('md5').update(text).digest('hex');

/** Server CPU µs per Digest request (each with a fresh nc of one nonce, 8 at a time). */
async function digestRun(store, redisUrl) {
  const server = await startServer({ BENCH_STORE: store, REDIS_URL: redisUrl });
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  try {
    const offered = (await get(agent, server.port, {})).headers['www-authenticate'];
    const challenge = Array.isArray(offered) ? offered[0] : offered;
    const param = (name) => new RegExp(`${name}="?([^",]+)`).exec(challenge)[1];
    const [nonce, opaque, algorithm] = [param('nonce'), param('opaque'), param('algorithm')];
    const cnonce = 'benchc';
    let ha1 = md5('user:Bench:pass');
    if (algorithm.endsWith('-sess')) ha1 = md5(`${ha1}:${nonce}:${cnonce}`);
    const ha2 = md5('GET:/private');
    const header = (count) => {
      const nc = count.toString(16).padStart(8, '0');
      const response = md5(`${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`);
      return `Digest username="user", realm="Bench", nonce="${nonce}", uri="/private", algorithm=${algorithm}, qop=auth, nc=${nc}, cnonce="${cnonce}", response="${response}", opaque="${opaque}"`;
    };
    // Warm-up, then the measured requests.
    let next = 1;
    const fire = async (amount) => {
      const end = next + amount;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < end) {
            const reply = await get(agent, server.port, { authorization: header(next++) });
            if (reply.statusCode !== 200) throw new Error(`${store}: answered ${reply.statusCode}`);
          }
        }),
      );
    };
    await fire(1000);
    const before = (await server.ask('stats')).cpu;
    await fire(requests);
    const after = (await server.ask('stats')).cpu;
    return (after.user + after.system - before.user - before.system) / requests;
  } finally {
    agent.destroy();
    server.stop();
  }
}

const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function fanOut(redisUrl) {
  const servers = [await startServer({ REDIS_URL: redisUrl }), await startServer({ REDIS_URL: redisUrl })];
  const latencies = [];
  let last = 0;
  const clients = [];
  try {
    for (let index = 0; index < clientCount; index += 1) {
      const client = new WebSocket(`ws://127.0.0.1:${servers[index % 2].port}/chat`);
      client.on('message', (data) => {
        const now = performance.timeOrigin + performance.now();
        latencies.push(now - Number(data.toString()));
        last = now;
      });
      clients.push(
        new Promise((resolve, reject) => (client.once('open', () => resolve(client)), client.once('error', reject))),
      );
    }
    const open = await Promise.all(clients);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const started = performance.timeOrigin + performance.now();
    for (let index = 0; index < messageCount; index += 1) {
      await new Promise((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port: servers[0].port, path: '/say', method: 'POST', agent },
          (res) => {
            res.resume();
            res.on('end', resolve);
          },
        );
        req.on('error', reject);
        req.end(String(performance.timeOrigin + performance.now()));
      });
    }
    const expected = clientCount * messageCount;
    for (const start = Date.now(); latencies.length < expected && Date.now() - start < 60_000;) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    agent.destroy();
    for (const client of open) client.terminate();
    const sorted = [...latencies].sort((a, b) => a - b);
    return {
      delivered: latencies.length,
      expected,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      perSecond: latencies.length / ((last - started) / 1000),
    };
  } finally {
    for (const server of servers) server.stop();
  }
}

const redis = await startRedis();
try {
  const results = { memory: [], redis: [] };
  for (let round = 0; round < rounds; round += 1) {
    const order = round % 2 === 0 ? ['memory', 'redis'] : ['redis', 'memory'];
    for (const store of order) results[store].push(await digestRun(store, redis.url));
    console.error(
      `round ${round + 1}: memory ${results.memory.at(-1).toFixed(1)} µs, redis ${results.redis.at(-1).toFixed(1)} µs`,
    );
  }
  const fan = await fanOut(redis.url);
  console.log(`
| Digest request | server CPU µs/request (median of ${rounds} rounds) |
|---|---:|
| MemoryNonceStore | ${median(results.memory).toFixed(1)} |
| RedisNonceStore | ${median(results.redis).toFixed(1)} |
| redis / memory | ${(median(results.redis) / median(results.memory)).toFixed(2)} |

Rounds (memory, redis): ${results.memory.map((value, index) => `${value.toFixed(1)}/${results.redis[index].toFixed(1)}`).join(', ')}

| fan-out: ${clientCount} clients on 2 workers, ${messageCount} messages | |
|---|---:|
| delivered | ${fan.delivered} of ${fan.expected} |
| p50 latency | ${fan.p50.toFixed(2)} ms |
| p99 latency | ${fan.p99.toFixed(2)} ms |
| deliveries per second | ${Math.round(fan.perSecond)} |
`);
} finally {
  redis.stop();
}
