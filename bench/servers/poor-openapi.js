// Poor with @poor/openapi validating POST /validated, as its users install it.
import { createServer } from 'node:http';
import { importPoor, report } from './common.js';
import { ORDER_DOCUMENT } from './order.js';

const { Application } = await importPoor('core');
const { openapi } = await importPoor('openapi');

const app = new Application('bench-openapi');
app.use(openapi(ORDER_DOCUMENT));
app.route('/hello', () => 'Hello world');
app.route('/validated', (req) => req.json, 'POST');
await app.ready();
const server = createServer(app.handler);
server.listen(0, '127.0.0.1', () => report(server));
