// Plain node:http: the baseline every framework is compared with.
import { createServer } from 'node:http';
import { report, ROUTES } from './common.js';

const json = JSON.stringify({ hello: 'world', n: [1, 2, 3] });
const param = /^\/r(\d+)\/items\/(-?\d+)$/;

const server = createServer((req, res) => {
  const url = req.url;
  if (url === '/hello') {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': 11 });
    res.end('Hello world');
    return;
  }
  if (url === '/json') {
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(json),
    });
    res.end(json);
    return;
  }
  const found = param.exec(url);
  if (found && Number(found[1]) < ROUTES) {
    const body = JSON.stringify({ id: Number(found[2]) });
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
    return;
  }
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'content-length': 9 });
  res.end('Not Found');
});
server.listen(0, '127.0.0.1', () => report(server));
