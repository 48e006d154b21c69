// The "cluster" example: how a Poor service is deployed (docs/deployment.md). The primary
// process forks WORKERS workers (default: one per core) sharing PORT, replaces a worker that
// dies, restarts them one at a time on SIGHUP (a new worker listens before the old one drains)
// and drains them all on SIGTERM. Behind nginx on the same machine: trustProxy 'loopback'.
// With REDIS_URL set, the workers share what they remember on Redis (docs/deployment.md,
// "Several machines"): Digest nonce counts (/private, user demo/demo), the log-in rate limit
// (POST /login, 5 a minute per client) and websocket rooms (/chat/<room>, POST /say/<room>).
// Run: WORKERS=2 npm run example -- cluster, then kill -HUP <primary pid> to reload.
import cluster, { type Worker } from 'node:cluster';
import { once } from 'node:events';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import {
  Application,
  compression,
  digest,
  hexdigest,
  PasswordMap,
  rateLimit,
  route,
  UploadedFile,
  type NonceStore,
  type RateLimitStore,
  type Request,
} from '@poor/core';
import { websocket, websockets, type WebSocket, type WebSocketBroker } from '@poor/ws';

class Service {
  @route('/')
  index(req: Request): Record<string, unknown> {
    return {
      worker: process.pid,
      client: req.ip,
      protocol: req.protocol,
      home: req.constructUrl('/'),
      requestId: req.id,
    };
  }

  /** A request that takes a while: in flight while a worker is being replaced. */
  @route('/slow')
  async slow(req: Request): Promise<{ worker: number; waited: number }> {
    const waited = Math.min(Number(req.args.getFirst('ms', '200')) || 0, 5000);
    await new Promise((resolve) => setTimeout(resolve, waited));
    return { worker: process.pid, waited };
  }

  @route('/upload', ['POST'])
  upload(req: Request): { name: string; size: number } {
    const file = req.form.getFirst('file');
    if (!(file instanceof UploadedFile)) return { name: '', size: 0 };
    return { name: file.filename, size: file.size };
  }

  @websocket('/ws')
  echo(ws: WebSocket): void {
    ws.on('message', (data, binary) => ws.send(binary ? data : `echo: ${String(data)}`));
  }
}

/** What the workers share, on Redis (REDIS_URL), else nothing: each keeps its own. */
export interface Shared {
  nonceStore?: NonceStore;
  rateLimitStore?: RateLimitStore;
  broker?: WebSocketBroker;
  /** Closes the Redis clients. */
  close?(): void;
}

/**
 * Connects to REDIS_URL (two clients: one publishes and counts, one subscribes) and builds
 * the shared stores; a wrong URL is an error here, at start-up, naming the URL.
 */
export async function connectShared(url: string): Promise<Shared> {
  const [{ createClient }, { RedisBroker, RedisNonceStore, RedisRateLimitStore }] = await Promise.all([
    import('redis'),
    import('@poor/redis'),
  ]);
  const publisher = createClient({ url, disableOfflineQueue: true, socket: { reconnectStrategy: () => 200 } });
  const subscriber = createClient({ url, socket: { reconnectStrategy: () => 200 } });
  let connected = false;
  for (const client of [publisher, subscriber]) {
    client.on('error', (error: Error) => {
      if (connected) console.warn(`cluster: redis ${url}: ${error.message}`);
    });
  }
  const first = (client: typeof subscriber): Promise<unknown> =>
    Promise.race([
      client.connect(),
      new Promise((_resolve, reject) => setTimeout(() => reject(new Error('no answer within 5 s')), 5000)),
    ]);
  try {
    await Promise.all([first(publisher), first(subscriber)]);
  } catch (error) {
    publisher.destroy();
    subscriber.destroy();
    throw new Error(`REDIS_URL=${url}: cannot connect to Redis (${(error as Error).message})`, { cause: error });
  }
  connected = true;
  return {
    nonceStore: new RedisNonceStore(publisher, { ttl: 300 }),
    rateLimitStore: new RedisRateLimitStore(publisher),
    broker: new RedisBroker({ publisher, subscriber }),
    close: () => {
      publisher.destroy();
      subscriber.destroy();
    },
  };
}

/** The application each worker serves. */
export function createApp(shared: Shared = {}): Application {
  const sockets = websockets({ ...(shared.broker ? { broker: shared.broker } : {}) });
  const app = new Application('cluster', {
    controllers: [Service],
    addOns: [sockets, compression()],
    trustProxy: process.env.TRUST_PROXY ?? 'loopback',
    // Nonces are signed with secretKey: every worker needs the same one (the primary makes it).
    secretKey: process.env.SECRET_KEY ?? randomBytes(32).toString('hex'),
    authMap: new PasswordMap().set('Cluster', 'demo', hexdigest('demo', 'Cluster', 'demo')),
    ...(shared.nonceStore ? { nonceStore: shared.nonceStore } : {}),
  });
  app.after((_req, response) => {
    response.headers.set('X-Worker', String(process.pid)); // which worker answered
    return response;
  });
  app.route('/private', (req) => ({ worker: process.pid, user: req.user }), { before: [digest('Cluster')] });
  const logins = rateLimit({
    limit: 5,
    window: 60,
    name: 'login',
    onStoreError: 'refuse',
    ...(shared.rateLimitStore ? { store: shared.rateLimitStore } : {}),
  });
  app.route('/login', () => ({ worker: process.pid }), { methods: 'POST', before: [logins] });
  sockets.route('/chat/<room>', (socket) => socket.send(`ready ${process.pid}`));
  app.route(
    '/say/<room>',
    async (req, room: string) => {
      await sockets.publish(`/chat/${room}`, await req.text());
      return { worker: process.pid };
    },
    'POST',
  );
  return app;
}

async function replace(worker: Worker): Promise<void> {
  const next = cluster.fork();
  await once(next, 'listening');
  // The old worker stops accepting, finishes what it has, then exits (listen({ signals: true })).
  worker.process.kill('SIGTERM');
  await once(worker, 'exit');
}

async function primary(): Promise<void> {
  // One secret for every worker (Digest nonces from one are good on another).
  process.env.SECRET_KEY ??= randomBytes(32).toString('hex');
  // A wrong REDIS_URL fails here, once, with its message, not in every worker forever.
  if (process.env.REDIS_URL) {
    try {
      (await connectShared(process.env.REDIS_URL)).close?.();
    } catch (error) {
      console.error(`cluster: ${(error as Error).message}`);
      process.exit(1);
    }
  }
  // The kernel hands connections to the workers (each accepts on the shared socket), not the
  // primary: a worker that has stopped accepting gets none, where the primary's round-robin
  // could still pass it one during a reload (a request that then waits for nothing).
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  const count = Number(process.env.WORKERS ?? availableParallelism());
  let stopping = false;
  let reloading = false;
  const replacing = new Set<Worker>();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping || replacing.has(worker)) return;
    console.error(`cluster: worker ${worker.process.pid} died (${signal ?? code}); starting another`);
    cluster.fork();
  });
  for (let index = 0; index < count; index += 1) cluster.fork();
  let listening = 0;
  await new Promise<void>((resolve) => {
    const onListening = (): void => {
      listening += 1;
      if (listening === count) {
        cluster.off('listening', onListening);
        resolve();
      }
    };
    cluster.on('listening', onListening);
  });
  console.log(`cluster: ${count} workers listening on port ${process.env.PORT ?? 8080} (primary ${process.pid})`);
  process.on('SIGHUP', () => {
    if (reloading || stopping) return;
    reloading = true;
    void (async () => {
      for (const worker of Object.values(cluster.workers ?? {})) {
        if (!worker) continue;
        replacing.add(worker);
        await replace(worker);
        replacing.delete(worker);
      }
      reloading = false;
      console.log('cluster: reloaded');
    })();
  });
  process.once('SIGTERM', () => {
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((worker) => worker !== undefined);
    for (const worker of workers) worker.process.kill('SIGTERM');
    void Promise.all(workers.map((worker) => once(worker, 'exit'))).then(() => process.exit(0));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (cluster.isPrimary) await primary();
  else {
    const port = Number(process.env.PORT ?? 8080);
    const shared = process.env.REDIS_URL ? await connectShared(process.env.REDIS_URL) : {};
    await createApp(shared).listen({ port, host: process.env.HOST ?? '127.0.0.1', signals: true });
  }
}
