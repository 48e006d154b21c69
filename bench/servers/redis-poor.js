// Poor with shared state for bench/redis.js: a Digest-protected route with the memory nonce
// store or RedisNonceStore (BENCH_STORE=memory|redis), and websocket rooms through
// RedisBroker (POST /say publishes its body to /chat). REDIS_URL names the server.
import { createServer } from 'node:http';
import { importPoor, report } from './common.js';

const { Application, digest, hexdigest, PasswordMap } = await importPoor('core');
const { websockets } = await importPoor('ws');
const { RedisBroker, RedisNonceStore } = await importPoor('redis');
const { createClient } = await import('redis');

const publisher = createClient({ url: process.env.REDIS_URL, disableOfflineQueue: true });
const subscriber = publisher.duplicate();
for (const client of [publisher, subscriber]) client.on('error', () => undefined);
await Promise.all([publisher.connect(), subscriber.connect()]);

const sockets = websockets({ broker: new RedisBroker({ publisher, subscriber }), heartbeat: 0 });
const app = new Application('bench-redis', {
  secretKey: 'bench-secret-'.repeat(3),
  authMap: new PasswordMap().set('Bench', 'user', hexdigest('user', 'Bench', 'pass')),
  addOns: [sockets],
  logger: false,
  ...(process.env.BENCH_STORE === 'redis' ? { nonceStore: new RedisNonceStore(publisher) } : {}),
});
app.route('/private', () => 'ok', { before: [digest('Bench')] });
sockets.route('/chat', () => undefined);
app.route(
  '/say',
  async (req) => {
    await sockets.publish('/chat', await req.text());
    return 'ok';
  },
  'POST',
);
await app.ready();
const server = createServer(app.handler);
app.attach(server);
server.listen(0, '127.0.0.1', () => report(server));
