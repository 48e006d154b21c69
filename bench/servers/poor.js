// Poor, written the way its users write it.
import { createServer } from 'node:http';
import { join } from 'node:path';
import { importPoor, report, ROUTES, STATIC_DIR } from './common.js';

const { Application } = await importPoor('core');
const { documentRoot } = await importPoor('static');

// The defaults a user gets; BENCH_POOR_SILENT=1 (instructions.js) turns the logger off, to
// compare two builds' code paths when their default loggers differ.
const app = new Application('bench', process.env.BENCH_POOR_SILENT === '1' ? { logger: false } : {});
app.route('/hello', () => 'Hello world');
app.route('/json', () => ({ hello: 'world', n: [1, 2, 3] }));
app.route('/echo', (req) => req.json, 'POST');
app.route('/validated', (req) => req.json, 'POST'); // the same route, unvalidated
for (let index = 0; index < ROUTES; index += 1) {
  app.route(`/s${index}/static`, () => 'static');
  app.route(`/r${index}/items/<id:int>`, (_req, id) => ({ id }));
}
if (STATIC_DIR) app.use(documentRoot(join(STATIC_DIR, 'static'), { prefix: '/static' }));
const server = createServer(app.handler);
server.listen(0, '127.0.0.1', () => report(server));
