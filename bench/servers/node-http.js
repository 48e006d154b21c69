// Plain node:http: the baseline every framework is compared with.
import { createReadStream, stat } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { report, ROUTES, STATIC_DIR } from './common.js';

const json = JSON.stringify({ hello: 'world', n: [1, 2, 3] });
const param = /^\/r(\d+)\/items\/(-?\d+)$/;

const server = createServer((req, res) => {
  const url = req.url;
  if (req.method !== 'GET' && req.method !== 'HEAD' && (url === '/hello' || url === '/json')) {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8', 'content-length': 18 });
    res.end('Method Not Allowed');
    return;
  }
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
  if (url === '/echo' && req.method === 'POST') {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      let body;
      try {
        body = JSON.stringify(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        res.writeHead(400).end();
        return;
      }
      res.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
    });
    return;
  }
  if (STATIC_DIR && url.startsWith('/static/') && !url.includes('..')) {
    const path = join(STATIC_DIR, url);
    stat(path, (error, info) => {
      if (error || !info.isFile()) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, {
        'content-type': path.endsWith('.txt') ? 'text/plain; charset=utf-8' : 'application/octet-stream',
        'content-length': info.size,
        'last-modified': info.mtime.toUTCString(),
      });
      createReadStream(path).pipe(res);
    });
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
