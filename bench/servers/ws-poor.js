// The same echo through Poor: routed by the application, before hooks run at the upgrade.
import { createServer } from 'node:http';
import { Application } from '@poor/core';
import { websockets } from '@poor/ws';
import { report } from './common.js';

const addOn = websockets({ heartbeat: 0 });
const app = new Application('ws-bench', { logger: false }).use(addOn);
app.websocket('/echo', (ws) => ws.on('message', (data, binary) => ws.send(data, { binary })));
const server = createServer(app.handler);
addOn.attach(server);
server.listen(0, '127.0.0.1', () => report(server));
