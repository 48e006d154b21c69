// Express 5 with its defaults.
import express from 'express';
import { report, ROUTES } from './common.js';

const app = express();
app.get('/hello', (_req, res) => res.send('Hello world'));
app.get('/json', (_req, res) => res.json({ hello: 'world', n: [1, 2, 3] }));
for (let index = 0; index < ROUTES; index += 1) {
  app.get(`/s${index}/static`, (_req, res) => res.send('static'));
  app.get(`/r${index}/items/:id`, (req, res) => res.json({ id: Number(req.params.id) }));
}
const server = app.listen(0, '127.0.0.1', () => report(server));
