// Poor receiving multipart uploads with its defaults: the form is parsed before the handler
// (formidable underneath), files land in the temporary folder and are removed after the response.
import { createServer } from 'node:http';
import { Application } from '@poor/core';
import { report } from './common.js';

const app = new Application('upload', { logger: false, limits: { fileSize: 2 ** 31 } });
app.route(
  '/upload',
  (req) => {
    const file = req.form.getFirst('file');
    return { size: typeof file === 'object' ? file.size : 0 };
  },
  'POST',
);
const server = createServer(app.handler);
server.listen(0, '127.0.0.1', () => report(server));
