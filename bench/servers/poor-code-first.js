// Poor with @poor/openapi's code-first route: POST /validated carries its body schema (the
// same ORDER_SCHEMA Fastify's route has) instead of a hand-written document.
import { createServer } from 'node:http';
import { importPoor, report } from './common.js';
import { ORDER_SCHEMA } from './order.js';

const { Application } = await importPoor('core');
const { openapi } = await importPoor('openapi');

const api = openapi();
const app = new Application('bench-code-first').use(api);
app.route('/hello', () => 'Hello world');
api.route('/validated', { body: ORDER_SCHEMA }, (req) => req.api.body, 'POST');
await app.ready();
const server = createServer(app.handler);
server.listen(0, '127.0.0.1', () => report(server));
