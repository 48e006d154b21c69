// The websocket baseline: a raw `ws` server on node:http, echoing every message.
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { report } from './common.js';

const server = createServer((_req, res) => res.writeHead(426).end());
const wss = new WebSocketServer({ server, path: '/echo' });
wss.on('connection', (ws) => ws.on('message', (data, binary) => ws.send(data, { binary })));
server.listen(0, '127.0.0.1', () => report(server));
