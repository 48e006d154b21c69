// Start-up bench: Poor with ROUTES_N routes (half static, half with an int parameter), on PORT.
import { Application } from '@poor/core';

const count = Number(process.env.ROUTES_N ?? 1000);
const app = new Application('many');
for (let index = 0; index < count / 2; index += 1) {
  app.route(`/s${index}/static`, () => 'static');
  app.route(`/r${index}/items/<id:int>`, (_req, id) => ({ id }));
}
app.route('/', () => 'ready');
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
