// The "large-file" example: a port of PoorWSGI's examples/large_file.py with the same URLs.
// Multipart uploads streamed to three kinds of storage, reporting size, time, speed and the
// real SHA-256 of what was uploaded. Run: npm run example -- large-file
import { createHash, randomUUID, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import {
  Application,
  escapeHtml,
  HTTPException,
  htmlPage,
  route,
  UploadedFile,
  type Request,
  type UploadInfo,
} from '@poor/core';
import { serve } from './serve.js';

/** Upstream's hbytes: divides by 1024 while the value is above 1000. */
function hbytes(value: number): [number, string] {
  const units = ['', 'k', 'M', 'G', 'T', 'P'];
  let unit = 0;
  while (value > 1000 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return [value, units[unit] as string];
}

/** Counts and hashes what is written; optionally also writes it to a file. */
class HashingWriter extends Writable {
  readonly hash: Hash = createHash('sha256');
  size = 0;

  constructor(readonly target?: Writable) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    if (!this.target || this.target.write(chunk)) callback();
    else this.target.once('drain', () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (!this.target) return callback();
    this.target.end(() => callback());
  }
}

type Storage = 'blackhole' | 'temporary' | 'no-factory';
const FACTORY: Record<Storage, string> = {
  blackhole: 'blackhole_factory',
  temporary: 'temporary_factory',
  'no-factory': 'original_factory',
};

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

class LargeFile {
  @route('/')
  index(): string {
    const links = (Object.keys(FACTORY) as Storage[])
      .map((name) => `<li><a href="/${name}">/${name}</a></li>`)
      .join('\n');
    return htmlPage('Large File Upload Example', `<ul>\n${links}\n</ul>`);
  }

  async page(req: Request, storage: Storage): Promise<string> {
    let report = '';
    if (req.method === 'POST') {
      if (req.contentLength <= 0) throw new HTTPException(400, { error: 'Missing content length or no content' });
      const started = Date.now();
      const writers: HashingWriter[] = [];
      const temporary: string[] = [];
      const fileCallback =
        storage === 'no-factory'
          ? undefined
          : (_file: UploadInfo): Writable => {
              let target: Writable | undefined;
              if (storage === 'temporary') {
                const path = join(tmpdir(), `poor-large-${randomUUID()}`);
                temporary.push(path);
                target = createWriteStream(path);
              }
              const writer = new HashingWriter(target);
              writers.push(writer);
              return writer;
            };
      try {
        const form = await req.readForm({ fileCallback, limits: { fileSize: 8 * 2 ** 30 } });
        const upload = form.getFirst('file');
        let size = writers[0]?.size ?? 0;
        let checksum = writers[0]?.hash.digest('hex') ?? '';
        if (storage === 'no-factory' && upload instanceof UploadedFile && upload.path) {
          size = upload.size;
          checksum = await sha256File(upload.path);
        }
        const seconds = (Date.now() - started) / 1000;
        const [amount, unit] = hbytes(size);
        const [speed, speedUnit] = hbytes(size / Math.max(seconds, 0.001));
        report = `Upload: ${amount.toFixed(2)}${unit} in ${seconds.toFixed(3)}s -> ${speed.toFixed(2)}${speedUnit}ps SHA256: ${checksum}`;
      } finally {
        for (const path of temporary) await rm(path, { force: true });
      }
    }
    const form =
      '<form method="post" enctype="multipart/form-data"><input type="file" name="file"> <button>Upload</button></form>';
    return htmlPage(`Upload form for ${FACTORY[storage]}`, `${form}\n<pre>${escapeHtml(report)}</pre>`);
  }

  @route('/blackhole', ['GET', 'POST'])
  blackhole(req: Request): Promise<string> {
    return this.page(req, 'blackhole');
  }

  @route('/temporary', ['GET', 'POST'])
  temporary(req: Request): Promise<string> {
    return this.page(req, 'temporary');
  }

  @route('/no-factory', ['GET', 'POST'])
  noFactory(req: Request): Promise<string> {
    return this.page(req, 'no-factory');
  }
}

export const app = new Application('large_file', { debug: true, autoForm: false, controllers: [LargeFile] });

if (process.argv[1] === fileURLToPath(import.meta.url)) await serve(app);
