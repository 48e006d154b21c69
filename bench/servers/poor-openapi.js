// Poor with @poor/openapi validating POST /validated, as its users install it.
import { createServer } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { report } from './common.js';
import { ORDER_DOCUMENT } from './order.js';

const build = process.env.POOR_BUILD;
const from = (name) =>
  build ? pathToFileURL(join(build, 'packages', name, 'dist', 'index.js')).href : `@poor/${name}`;
const { Application } = await import(from('core'));
const { openapi } = await import(from('openapi'));

const app = new Application('bench-openapi', { logger: false });
app.use(openapi(ORDER_DOCUMENT));
app.route('/hello', () => 'Hello world');
app.route('/validated', (req) => req.json, 'POST');
await app.ready();
const server = createServer(app.handler);
server.listen(0, '127.0.0.1', () => report(server));
