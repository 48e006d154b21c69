// Fastify 5 with its defaults (no logger).
import fastifyStatic from '@fastify/static';
import { join } from 'node:path';
import Fastify from 'fastify';
import { report, ROUTES, STATIC_DIR } from './common.js';
import { ORDER_SCHEMA } from './order.js';

const app = Fastify({ logger: false });
app.get('/hello', async () => 'Hello world');
app.get('/json', async () => ({ hello: 'world', n: [1, 2, 3] }));
app.post('/echo', async (req) => req.body);
app.post('/validated', { schema: { body: ORDER_SCHEMA } }, async (req) => req.body);
if (STATIC_DIR) await app.register(fastifyStatic, { root: join(STATIC_DIR, 'static'), prefix: '/static/' });
for (let index = 0; index < ROUTES; index += 1) {
  app.get(`/s${index}/static`, async () => 'static');
  app.get(`/r${index}/items/:id`, async (req) => ({ id: Number(req.params.id) }));
}
await app.listen({ port: 0, host: '127.0.0.1' });
report(app.server);
