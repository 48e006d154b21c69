// Cluster bench: WORKERS Poor workers (node:cluster, the primary distributes connections) on PORT.
import cluster from 'node:cluster';
import { Application } from '@poor/core';

const workers = Number(process.env.WORKERS ?? 2);
if (cluster.isPrimary) {
  let listening = 0;
  cluster.on('listening', () => {
    listening += 1;
    if (listening === workers) process.send?.('ready');
  });
  for (let index = 0; index < workers; index += 1) cluster.fork();
  process.on('SIGTERM', () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill();
    process.exit(0);
  });
} else {
  const app = new Application('cluster');
  app.route('/hello', () => 'Hello world');
  app.route('/json', () => ({ hello: 'world', n: [1, 2, 3] }));
  await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
}
