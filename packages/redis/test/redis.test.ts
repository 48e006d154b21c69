// @poor/redis against a real redis-server on loopback: two applications with a client each
// stand for two workers (or machines) sharing one Redis. Digest replays across them, rate
// limits across them, and Redis killed (SIGKILL) and started again.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import {
  Application,
  digest,
  hexdigest,
  MemoryNonceStore,
  PasswordMap,
  rateLimit,
  type InjectResponse,
} from '@poor/core';
import { authorize, challenge } from '../../core/test/helpers/digest-client.js';
import { recordingLogger, until } from '../../core/test/helpers/transports.js';
import { websockets, type WebSocketAddOn } from '@poor/ws';
import { WebSocket as Client } from 'ws';
import {
  RedisBroker,
  RedisNonceStore,
  RedisRateLimitStore,
  type RedisCommands,
  type RedisSubscriber,
} from '../src/index.js';
import { hasRedis, startRedis, type RedisServer } from './redis-server.js';

const users = new PasswordMap().set('Zone', 'alice', hexdigest('alice', 'Zone', 'secret'));

describe.skipIf(!hasRedis)('@poor/redis with a real redis-server', () => {
  let server: RedisServer;
  const clients: Array<{ destroy(): void }> = [];
  const errors: unknown[] = [];

  /** A client as the docs advise: fails fast while disconnected, reconnects every 100 ms. */
  async function connect(): Promise<RedisCommands> {
    const client = createClient({
      url: server.url,
      disableOfflineQueue: true,
      socket: { reconnectStrategy: () => 100 },
    });
    client.on('error', (error: unknown) => errors.push(error));
    await client.connect();
    clients.push(client);
    return client as unknown as RedisCommands;
  }

  /** A client for subscribing only. */
  async function subscriber(): Promise<RedisSubscriber> {
    const client = createClient({ url: server.url, socket: { reconnectStrategy: () => 100 } });
    client.on('error', (error: unknown) => errors.push(error));
    await client.connect();
    clients.push(client);
    return client;
  }

  /** A worker serving websockets: /chat/<room> sockets, and POST /say/<room> publishing its body. */
  async function chatWorker(): Promise<{ app: Application; port: number; log: ReturnType<typeof recordingLogger> }> {
    const broker = new RedisBroker({ publisher: await connect(), subscriber: await subscriber() });
    const sockets: WebSocketAddOn = websockets({ broker });
    const log = recordingLogger();
    const app = new Application('chat', { logger: log }).use(sockets);
    sockets.route('/chat/<room>', (socket) => socket.send('ready'));
    app.route(
      '/say/<room>',
      async (req, room: string) => {
        for (const line of (await req.text()).split('\n')) await sockets.publish(`/chat/${room}`, line);
        return 'said';
      },
      'POST',
    );
    const { port } = await app.listen({ port: 0 });
    apps.push(app);
    return { app, port, log };
  }

  /** A websocket client whose messages are collected from the first. */
  async function listen(port: number, room: string): Promise<{ messages: string[]; client: Client }> {
    const client = new Client(`ws://127.0.0.1:${port}/chat/${room}`);
    const messages: string[] = [];
    const ready = new Promise<void>((resolve) =>
      client.on('message', (data: Buffer, binary: boolean) => {
        if (data.toString() === 'ready') return resolve();
        messages.push(`${binary ? 'binary' : 'text'}:${data.toString()}`);
      }),
    );
    await ready;
    sockets.push(client);
    return { messages, client };
  }

  const apps: Application[] = [];
  const sockets: Client[] = [];

  /** A worker: an application with its own Redis client. */
  async function worker(): Promise<{ app: Application; log: ReturnType<typeof recordingLogger> }> {
    const client = await connect();
    const log = recordingLogger();
    const app = new Application('worker', {
      secretKey: 'k'.repeat(32),
      authMap: users,
      logger: log,
      nonceStore: new RedisNonceStore(client, { ttl: 300 }),
    });
    app.route('/private', (req) => `hello ${String(req.user)}`, { before: [digest('Zone')] });
    const store = new RedisRateLimitStore(client);
    app.route('/limited', () => 'ok', { before: [rateLimit({ limit: 3, window: 60, name: 'shared', store })] });
    app.route('/strict', () => 'ok', {
      before: [rateLimit({ limit: 100, window: 60, name: 'strict', store, onStoreError: 'refuse' })],
    });
    return { app, log };
  }

  /** A fresh Authorization header for /private, from a challenge of `app`. */
  async function signIn(app: Application): Promise<string> {
    const first: InjectResponse = await app.inject('/private');
    return authorize(challenge(first.headers['www-authenticate']), {
      user: 'alice',
      password: 'secret',
      uri: '/private',
    });
  }

  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    for (const socket of sockets) socket.terminate();
    for (const app of apps) await app.close();
    for (const client of clients) client.destroy();
    await server?.stop();
  });

  it('counts nonces as MemoryNonceStore does (same answers for random sequences)', async () => {
    const redis = new RedisNonceStore(await connect(), { prefix: `poor:test${Date.now()}:` });
    let run = 0; // each property run uses nonces of its own, as a fresh MemoryNonceStore does
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom('n1', 'n2'), fc.integer({ min: 1, max: 80 })), { maxLength: 40 }),
        async (sequence) => {
          run += 1;
          const memory = new MemoryNonceStore();
          for (const [nonce, nc] of sequence) {
            expect(await redis.use(`${run}:${nonce}`, nc)).toBe(memory.use(`${run}:${nonce}`, nc));
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('refuses a Digest header replayed to another worker', async () => {
    const [a, b] = [await worker(), await worker()];
    const authorization = await signIn(a.app);
    expect((await a.app.inject({ url: '/private', headers: { authorization } })).status).toBe(200);
    expect((await b.app.inject({ url: '/private', headers: { authorization } })).status).toBe(401);
    expect((await a.app.inject({ url: '/private', headers: { authorization } })).status).toBe(401);
  });

  it('shares a rate limit across workers', async () => {
    const [a, b] = [await worker(), await worker()];
    const from = (app: Application) => app.inject({ url: '/limited', remoteAddress: '198.51.100.9' });
    const statuses = [await from(a.app), await from(b.app), await from(a.app), await from(b.app)].map(
      (reply) => reply.status,
    );
    expect(statuses).toEqual([200, 200, 200, 429]);
    const refused = await from(a.app);
    expect(refused.headers['ratelimit-policy']).toBe('"shared";q=3;w=60');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('delivers a message published on one worker to the room on every worker, once and in order', async () => {
    const [a, b] = [await chatWorker(), await chatWorker()];
    const onA = await listen(a.port, 'lobby');
    const onB = await listen(b.port, 'lobby');
    const elsewhere = await listen(b.port, 'other');
    const lines = Array.from({ length: 50 }, (_, index) => `line ${index}`);
    const said = await fetch(`http://127.0.0.1:${a.port}/say/lobby`, { method: 'POST', body: lines.join('\n') });
    expect(await said.text()).toBe('said');
    const expected = lines.map((line) => `text:${line}`);
    await until(
      () => onA.messages.length >= 50 && onB.messages.length >= 50,
      () => [onA.messages.length, onB.messages.length],
    );
    await fetch(`http://127.0.0.1:${b.port}/say/other`, { method: 'POST', body: 'end' });
    await until(
      () => elsewhere.messages.length > 0,
      () => elsewhere.messages,
    );
    // Nothing more came to the lobby (each socket got each message once), nothing of it elsewhere.
    expect(onA.messages).toEqual(expected);
    expect(onB.messages).toEqual(expected);
    expect(elsewhere.messages).toEqual(['text:end']);
  });

  it('Redis killed: Digest answers 503, rate limits follow their policy; back within 2 s once Redis is', async () => {
    const { app, log } = await worker();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await server.kill();
      const authorization = await signIn(app);
      const denied = await app.inject({ url: '/private', headers: { authorization } });
      expect([denied.status, denied.headers['retry-after']]).toEqual([503, '5']);
      expect((await app.inject({ url: '/limited', remoteAddress: '192.0.2.1' })).status).toBe(200); // 'allow'
      expect((await app.inject({ url: '/strict', remoteAddress: '192.0.2.1' })).status).toBe(503); // 'refuse'
      for (let index = 0; index < 20; index += 1) await app.inject({ url: '/limited', remoteAddress: '192.0.2.1' });
      // One warning an outage for each store user, not one a request; nothing at error level.
      expect(log.lines.filter((line) => line.level === 'error')).toEqual([]);
      expect(log.lines.filter((line) => line.level === 'warn')).toHaveLength(3);
      await server.start();
      const back = Date.now();
      for (;;) {
        const again = await app.inject({ url: '/private', headers: { authorization: await signIn(app) } });
        if (again.status === 200) break;
        if (Date.now() - back > 2000) throw new Error(`still ${again.status} 2 s after Redis came back`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect((await app.inject({ url: '/strict', remoteAddress: '192.0.2.1' })).status).toBe(200);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('Redis killed: a publication stays on its worker (one warning), and crosses again once Redis is back', async () => {
    const [a, b] = [await chatWorker(), await chatWorker()];
    const onA = await listen(a.port, 'hall');
    const onB = await listen(b.port, 'hall');
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    await server.kill();
    for (const word of ['one', 'two'])
      await fetch(`http://127.0.0.1:${a.port}/say/hall`, { method: 'POST', body: word });
    await until(
      () => onA.messages.length === 2,
      () => onA.messages,
    );
    expect(onB.messages).toEqual([]);
    expect(a.log.lines.filter((line) => line.level === 'warn')).toHaveLength(1);
    expect(a.log.lines.filter((line) => line.level === 'error')).toEqual([]);
    await server.start();
    const back = Date.now();
    for (let attempt = 0; onB.messages.length === 0; attempt += 1) {
      if (Date.now() - back > 2000) throw new Error('no cross-worker message 2 s after Redis came back');
      await fetch(`http://127.0.0.1:${a.port}/say/hall`, { method: 'POST', body: `again ${attempt}` });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(onB.messages[0]).toMatch(/^text:again \d+$/);
    process.off('unhandledRejection', onUnhandled);
    expect(unhandled).toEqual([]);
  });
});
