// The "put-file" example: a port of PoorWSGI's examples/put_file.py with the same URLs.
// PUT bodies are streamed (never held in memory) and answered with their size and SHA-256.
// Run: npm run example -- put-file
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Application, htmlPage, route, type Request } from '@poor/core';
import { serve } from './serve.js';

const PAGE = `<p><input type="file" id="file"></p>
<p><a href="#" data-target="blackhole">PUT to /blackhole/&lt;name&gt;</a> · <a href="#" data-target="temporary">PUT to /temporary/&lt;name&gt;</a></p>
<pre id="result"></pre>
<script>
for (const link of document.querySelectorAll('a[data-target]')) {
  link.addEventListener('click', async (event) => {
    event.preventDefault();
    const file = document.getElementById('file').files[0];
    if (!file) return alert('Choose a file first');
    const reply = await fetch('/' + link.dataset.target + '/' + encodeURIComponent(file.name), { method: 'PUT', body: file });
    document.getElementById('result').textContent = await reply.text();
  });
}
</script>`;

/** Streams the body through SHA-256, optionally into a file, and reports it. */
async function receive(
  req: Request,
  filename: string,
  target?: Writable,
): Promise<{ uploaded: number; checksum: string; filename: string }> {
  const hash = createHash('sha256');
  let uploaded = 0;
  for await (const chunk of req) {
    const bytes = chunk as Buffer;
    hash.update(bytes);
    uploaded += bytes.length;
    if (target && !target.write(bytes)) await new Promise((resolve) => target.once('drain', resolve));
  }
  if (target) await new Promise((resolve) => target.end(resolve));
  return { uploaded, checksum: hash.digest('hex'), filename };
}

class PutFile {
  @route('/')
  index(): string {
    return htmlPage('PUT file upload', PAGE);
  }

  @route('/blackhole/<filename>', 'PUT')
  blackhole(req: Request, filename: string): Promise<object> {
    return receive(req, filename);
  }

  @route('/temporary/<filename>', 'PUT')
  async temporary(req: Request, filename: string): Promise<object> {
    const path = join(tmpdir(), `poor-put-${randomUUID()}`);
    const target = createWriteStream(path);
    try {
      return await receive(req, filename, target);
    } finally {
      target.destroy(); // closes the file also when the client went away mid-body
      await rm(path, { force: true });
    }
  }
}

// JSON and forms are left to the handlers: the body is streamed whatever its type.
export const app = new Application('put_file', {
  debug: true,
  autoJson: false,
  autoForm: false,
  controllers: [PutFile],
});

if (process.argv[1] === fileURLToPath(import.meta.url)) await serve(app);
