// Express 5 with its defaults.
import { join } from 'node:path';
import express from 'express';
import { report, ROUTES, STATIC_DIR } from './common.js';

const app = express();
app.get('/hello', (_req, res) => res.send('Hello world'));
app.get('/json', (_req, res) => res.json({ hello: 'world', n: [1, 2, 3] }));
app.post('/echo', express.json(), (req, res) => res.json(req.body));
if (STATIC_DIR) app.use('/static', express.static(join(STATIC_DIR, 'static')));
for (let index = 0; index < ROUTES; index += 1) {
  app.get(`/s${index}/static`, (_req, res) => res.send('static'));
  app.get(`/r${index}/items/:id`, (req, res) => res.json({ id: Number(req.params.id) }));
}
const server = app.listen(0, '127.0.0.1', () => report(server));
