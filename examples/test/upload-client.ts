// A streaming upload client for the upload tests: sends `size` bytes of pseudo-random data
// (never held in memory at once) as a multipart file or a PUT body over a real socket, and
// reports the SHA-256 of what it sent beside the server's answer.
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';

/** What one upload sent and what the server answered. */
export interface UploadResult {
  status: number;
  body: string;
  sha256: string;
  sent: number;
}

const BLOCK = 1 << 20;

/** `size` bytes in 1 MiB blocks; every block differs (its index is stamped in front). */
function* blocks(size: number): Generator<Buffer> {
  const base = randomBytes(BLOCK);
  for (let offset = 0, index = 0; offset < size; offset += BLOCK, index += 1) {
    const block = Buffer.from(base.subarray(0, Math.min(BLOCK, size - offset)));
    block.writeUInt32BE(index >>> 0, 0);
    yield block;
  }
}

/** Uploads `size` bytes to `url`: as a multipart form field `file` (POST) or as a raw PUT body. */
export function upload(
  url: string,
  size: number,
  kind: 'multipart' | 'put',
  filename = 'data.bin',
): Promise<UploadResult> {
  const boundary = `----poor${randomBytes(8).toString('hex')}`;
  const head =
    kind === 'multipart'
      ? Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\n` +
            'Content-Type: application/octet-stream\r\n\r\n',
        )
      : Buffer.alloc(0);
  const tail = kind === 'multipart' ? Buffer.from(`\r\n--${boundary}--\r\n`) : Buffer.alloc(0);
  const headers = {
    'content-length': String(head.length + size + tail.length),
    'content-type': kind === 'multipart' ? `multipart/form-data; boundary=${boundary}` : 'application/octet-stream',
  };
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    let sent = 0;
    const req = request(url, { method: kind === 'multipart' ? 'POST' : 'PUT', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          sha256: hash.digest('hex'),
          sent,
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    const source = blocks(size);
    const pump = (): void => {
      for (;;) {
        const next = source.next();
        if (next.done) {
          req.end(tail);
          return;
        }
        hash.update(next.value);
        sent += next.value.length;
        if (!req.write(next.value)) {
          req.once('drain', pump);
          return;
        }
      }
    };
    req.write(head);
    pump();
  });
}
