// The "cluster" example: how a Poor service is deployed (docs/deployment.md). The primary
// process forks WORKERS workers (default: one per core) sharing PORT, replaces a worker that
// dies, restarts them one at a time on SIGHUP (a new worker listens before the old one drains)
// and drains them all on SIGTERM. Behind nginx on the same machine: trustProxy 'loopback'.
// Run: WORKERS=2 npm run example -- cluster, then kill -HUP <primary pid> to reload.
import cluster, { type Worker } from 'node:cluster';
import { once } from 'node:events';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Application, compression, route, UploadedFile, type Request } from '@poor/core';
import { websocket, websockets, type WebSocket } from '@poor/ws';

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

/** The application each worker serves. */
export function createApp(): Application {
  return new Application('cluster', {
    controllers: [Service],
    addOns: [websockets(), compression()],
    trustProxy: process.env.TRUST_PROXY ?? 'loopback',
  });
}

async function replace(worker: Worker): Promise<void> {
  const next = cluster.fork();
  await once(next, 'listening');
  // The old worker stops accepting, finishes what it has, then exits (listen({ signals: true })).
  worker.process.kill('SIGTERM');
  await once(worker, 'exit');
}

async function primary(): Promise<void> {
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
    await createApp().listen({ port, host: process.env.HOST ?? '127.0.0.1', signals: true });
  }
}
