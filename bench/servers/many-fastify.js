// Start-up bench: Fastify 5 with ROUTES_N routes (half static, half with a parameter), on PORT.
import Fastify from 'fastify';

const count = Number(process.env.ROUTES_N ?? 1000);
const app = Fastify();
for (let index = 0; index < count / 2; index += 1) {
  app.get(`/s${index}/static`, async () => 'static');
  app.get(`/r${index}/items/:id`, async (req) => ({ id: Number(req.params.id) }));
}
app.get('/', async () => 'ready');
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
