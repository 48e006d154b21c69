// The baseline for uploads: formidable used directly on node:http, files to the temporary
// folder, removed after the answer (as Poor does).
import { rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import formidable from 'formidable';
import { report } from './common.js';

const server = createServer((req, res) => {
  const form = formidable({ uploadDir: tmpdir(), maxFileSize: 2 ** 31, maxTotalFileSize: 2 ** 31 });
  form.parse(req, (error, _fields, files) => {
    if (error) {
      res.writeHead(400).end(String(error));
      return;
    }
    const file = files.file?.[0];
    const body = JSON.stringify({ size: file?.size ?? 0 });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body, () => {
      for (const list of Object.values(files)) for (const item of list ?? []) void rm(item.filepath, { force: true });
    });
  });
});
server.listen(0, '127.0.0.1', () => report(server));
