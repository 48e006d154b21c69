import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { Transform, Writable, type Readable } from 'node:stream';
import type { File as FormidableFile, Part } from 'formidable';
import type { FileCallback, Limits } from '../settings/settings.js';
import { kLifecycle } from '../http/symbols.js';
import { Fields, parseQuery } from './fields.js';
import { HTTPException } from '../response/http-error.js';
import type { LogSource } from './log-fields.js';
import type { RequestApp } from './request-app.js';
import { clientGone, leftMidBody } from './body-parse.js';
import { logFields } from './log-fields.js';

/** A file received in a multipart form. */
export class UploadedFile {
  /** The form field name. */
  readonly fieldName: string;
  /** The file name sent by the client (never use it as a path without sanitising it). */
  readonly filename: string;
  /** The MIME type sent by the client. */
  readonly type: string;
  /** Bytes received. */
  size = 0;
  /** Where Poor stored it (`undefined` when a `fileCallback` stored it); removed after the response. */
  readonly path: string | undefined;

  constructor(fieldName: string, filename: string, type: string, path: string | undefined) {
    this.fieldName = fieldName;
    this.filename = filename;
    this.type = type;
    this.path = path;
  }

  /** A stream of the stored content. */
  stream(): Readable {
    if (!this.path) throw new TypeError(`upload ${this.filename} was stored by a fileCallback; read it from there`);
    return createReadStream(this.path);
  }

  /** The stored content in memory. */
  read(): Promise<Buffer> {
    if (!this.path) return Promise.reject(new TypeError(`upload ${this.filename} was stored by a fileCallback`));
    return readFile(this.path);
  }

  /** Shown by `JSON.stringify` (e.g. in `req.form.toJSON()`). */
  toJSON(): { filename: string; type: string; size: number } {
    return { filename: this.filename, type: this.type, size: this.size };
  }
}

/** A form value: text fields are strings, uploads are {@link UploadedFile}s. */
export type FormValue = string | UploadedFile;

/** Options of {@link Request.readForm} (the application's options by default). */
export interface FormOptions {
  /** Folder for uploaded files. */
  uploadDir?: string;
  /** Custom storage: a `Writable` per file. */
  fileCallback?: FileCallback;
  /** Limits (413 when exceeded). */
  limits?: Partial<Limits>;
}

/**
 * Bytes of an upload that may wait for the disk: enough for several network chunks in flight
 * (the file stream batches them into one write), small enough to keep memory flat.
 */
const UPLOAD_BUFFER = 1 << 20;

/**
 * Streams into a target while counting, refusing more than `limit` bytes (413). The limit
 * error, or the storage's own failure (507 for a full disk or quota, else 500: the server's
 * fault, not the client's), is reported at once through `onFailure`, so it wins over the
 * parser's follow-up errors.
 * Destroying it (a failed upload: a limit, a malformed body, a client gone) destroys the
 * target: a custom storage removes what it wrote in its `_destroy`.
 */
class LimitedWritable extends Writable {
  #target: Writable;
  #limit: number;
  #file: UploadedFile;
  #onFailure: (error: HTTPException) => void;

  constructor(target: Writable, limit: number, file: UploadedFile, onFailure: (error: HTTPException) => void) {
    super({ highWaterMark: UPLOAD_BUFFER });
    this.#target = target;
    this.#limit = limit;
    this.#file = file;
    this.#onFailure = onFailure;
    target.on('error', (error: NodeJS.ErrnoException) => {
      const full = error.code === 'ENOSPC' || error.code === 'EDQUOT';
      this.#onFailure(new HTTPException(full ? 507 : 500, { error }));
      this.destroy(error);
    });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#file.size += chunk.length;
    if (this.#file.size > this.#limit) {
      const error = new HTTPException(413, {
        error: `file ${this.#file.filename} is larger than ${this.#limit} bytes`,
      });
      this.#onFailure(error);
      callback(error);
      return;
    }
    if (this.#target.write(chunk)) callback();
    else this.#target.once('drain', () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#target.once('finish', () => callback());
    this.#target.end();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.#target.destroyed) this.#target.destroy();
    callback(error);
  }
}

/**
 * Lets body bytes through to formidable only while the file being written keeps up. Formidable
 * pauses the request per chunk, but every finished write resumes it, so a target slower than
 * the network (a disk) would fall behind without bound.
 */
class Gate extends Transform {
  /** The file currently written. */
  writer: Writable | undefined;
  /** What formidable reads as the request's headers. */
  readonly headers: IncomingHttpHeaders;

  constructor(raw: IncomingMessage) {
    super();
    this.headers = raw.headers;
    raw.once('error', (error) => this.destroy(error));
    raw.once('close', () => {
      if (!raw.complete) this.destroy(new Error('the client aborted the request'));
    });
  }

  override _transform(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: (error?: Error | null, data?: Buffer) => void,
  ): void {
    const writer = this.writer;
    if (!writer?.writableNeedDrain || writer.destroyed) return callback(null, chunk);
    const go = (): void => {
      writer.off('drain', go);
      writer.off('close', go);
      callback(null, chunk);
    };
    writer.on('drain', go);
    writer.on('close', go);
  }
}

/** What the form parser reads of a request (a {@link Request} is one). */
export interface FormSource extends LogSource {
  /** The settings: limits, upload folder and storage. */
  readonly app: RequestApp;
  /** The body's stream. */
  readonly raw: IncomingMessage;
  /** Closing it removes the request's temporary files. */
  readonly rawResponse: ServerResponse | undefined;
  /** Which form it is. */
  readonly mimeType: string;
  /** The whole body as text (a urlencoded form), within `limit` bytes. */
  text(limit?: number): Promise<string>;
}

/** Files created for a request; removed when its response closes (sent, failed or aborted). */
interface Created {
  files: string[];
  closed: boolean;
}
const created = new WeakMap<FormSource, Created>();

function removeFiles(req: FormSource, files: string[]): void {
  const done = Promise.all(files.map((file) => rm(file, { force: true }))).then(
    () => undefined,
    () => undefined,
  );
  req.app[kLifecycle].track(done); // the app's close() waits for it
}

function track(req: FormSource, path: string): void {
  let record = created.get(req);
  if (!record) {
    const fresh: Created = { files: [], closed: false };
    created.set(req, (record = fresh));
    const remove = (): void => {
      fresh.closed = true;
      removeFiles(req, fresh.files.splice(0));
    };
    if (req.rawResponse) req.rawResponse.once('close', remove);
    else req.raw.once('close', remove);
  }
  // A file created after the response closed (a parser still flushing) goes at once.
  if (record.closed) removeFiles(req, [path]);
  else record.files.push(path);
}

function toHttpError(error: unknown): HTTPException {
  if (error instanceof HTTPException) return error;
  const code = (error as { httpCode?: number }).httpCode;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 413) return new HTTPException(413, { error: `form body too large: ${message}` });
  return new HTTPException(400, { error: `malformed form body: ${message}` });
}

interface MultipartSettings {
  uploadDir: string;
  fileCallback: FileCallback | undefined;
  keepBlankValues: boolean;
  limits: Limits;
}

async function parseMultipart(req: FormSource, options: MultipartSettings): Promise<Fields<FormValue>> {
  // Loaded with the first multipart body: an app that never takes one never pays for it.
  const { default: formidable } = await import('formidable');
  const limits = options.limits;
  const fields = new Fields<FormValue>();
  const files = new Map<FormidableFile, UploadedFile>();
  let unnamed = false;
  let failed = false;
  // The first limit or storage error: it wins over the parser's follow-up errors.
  let failure: HTTPException | undefined;
  // Ends the parse with an error; set once the parse has started.
  let stop: (error: HTTPException) => void = () => undefined;
  const gate = new Gate(req.raw);
  const form = formidable({
    maxFields: limits.fields,
    maxFieldsSize: limits.fieldsSize,
    maxFiles: limits.files,
    // Checked per file while streaming by LimitedWritable; formidable's own check comes
    // only when a part ends.
    maxFileSize: limits.fileSize,
    maxTotalFileSize: Math.min(Number.MAX_SAFE_INTEGER, limits.fileSize * Math.max(1, limits.files)),
    allowEmptyFiles: true,
    minFileSize: 0,
    filter: (part: Part) => {
      if (!part.name) unnamed = true;
      return Boolean(part.name);
    },
    fileWriteStreamHandler: ((file: FormidableFile) => {
      // Parts formidable still emits after an error (buffered data) store nothing.
      if (failed) return new Writable({ write: (_chunk, _encoding, callback) => callback() });
      const name = (file as FormidableFile & { fieldName?: string }).fieldName ?? '';
      const path = options.fileCallback ? undefined : join(options.uploadDir, `poor-upload-${randomUUID()}`);
      const upload = new UploadedFile(
        name,
        file.originalFilename ?? '',
        file.mimetype ?? 'application/octet-stream',
        path,
      );
      files.set(file, upload);
      let target: Writable;
      if (options.fileCallback) {
        target = options.fileCallback({ fieldName: name, filename: upload.filename, type: upload.type });
      } else {
        track(req, path as string);
        target = createWriteStream(path as string, { highWaterMark: UPLOAD_BUFFER });
      }
      gate.writer = new LimitedWritable(target, limits.fileSize, upload, (error) => {
        // Once the parse stopped (a client that went away, a limit), what the storage says
        // next is a consequence, and a stream destroyed under a write is never a disk fault:
        // either way the client's abort decides the answer, and nothing is logged.
        if (failure !== undefined || failed) return;
        if (error.status >= 500 && (leftMidBody(req.raw) || codeOf(error.extra.error) === 'ERR_STREAM_DESTROYED')) {
          stop((failure = clientGone()));
          return;
        }
        failure = error;
        if (error.status >= 500) {
          // The storage failed (a full disk): the server's fault. Formidable may never call
          // back when its writer dies under backpressure, so the parse ends here.
          req.app.logger.error(
            { err: error.extra.error, req: logFields(req) },
            `Poor: storing an upload of ${req.method} ${req.raw.url} failed (answered ${error.status})`,
          );
          stop(error);
        }
      });
      return gate.writer;
    }) as unknown as () => Writable,
  });
  // RFC 7578 §4.2: a part with a filename is a file, and §4.4: its type defaults to text/plain.
  // Formidable takes a part without a Content-Type for a field, so a file from Python's
  // requests (which sends none) would skip the file limits and arrive as text.
  form.onPart = (part: Part) => {
    if (typeof part.originalFilename === 'string' && !part.mimetype) part.mimetype = 'text/plain';
    form._handlePart(part);
  };
  form.on('fileBegin', (name: string, file: FormidableFile) => {
    (file as FormidableFile & { fieldName?: string }).fieldName = name;
  });
  form.on('field', (name: string | null, value: string) => {
    if (!name) unnamed = true;
    else if (value !== '' || options.keepBlankValues) fields.append(name, value);
  });
  form.on('file', (name: string | null, file: FormidableFile) => {
    const upload = files.get(file);
    if (!name) unnamed = true;
    else if (upload) fields.append(name, upload);
  });
  await new Promise<void>((resolve, reject) => {
    stop = (error) => {
      if (failed) return;
      // Stop at the first error: nothing more reaches the parser (the answer's lingering
      // close reads and discards the rest of the body).
      failed = true;
      req.raw.unpipe(gate);
      gate.destroy();
      reject(error);
    };
    form.parse(gate as unknown as IncomingMessage, (error: unknown) => {
      if (!error) return resolve();
      stop(failure ?? toHttpError(error));
    });
    req.raw.pipe(gate);
  });
  if (unnamed) throw new HTTPException(400, { error: 'malformed form body: a multipart part has no name' });
  return fields;
}

/**
 * Reads a form body: `application/x-www-form-urlencoded` (Poor's parser, bounded by
 * `limits.fieldsSize`) or `multipart/form-data` (formidable; files streamed to `uploadDir` or
 * a `fileCallback`, never wholly into memory). A multipart part is a file when it has a
 * `filename` (RFC 7578; type `text/plain` when it carries no Content-Type); otherwise it is a
 * text field bounded by `limits.fieldsSize`. Anything else gives empty fields.
 */
export async function readForm(req: FormSource, options: FormOptions = {}): Promise<Fields<FormValue>> {
  const app = req.app;
  const limits: Limits = { ...app.limits, ...options.limits };
  const mime = req.mimeType;
  if (mime === 'application/x-www-form-urlencoded') {
    const text = await req.text(limits.fieldsSize);
    return parseQuery(text, {
      keepBlankValues: app.keepBlankValues,
      strictParsing: app.strictParsing,
      maxPairs: limits.fields,
    });
  }
  if (mime === 'multipart/form-data') {
    return parseMultipart(req, {
      uploadDir: options.uploadDir ?? app.uploadDir,
      fileCallback: options.fileCallback ?? app.fileCallback,
      keepBlankValues: app.keepBlankValues,
      limits,
    });
  }
  return new Fields<FormValue>();
}

function codeOf(error: unknown): unknown {
  return (error as { code?: unknown } | undefined)?.code;
}
