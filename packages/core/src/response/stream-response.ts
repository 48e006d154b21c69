import { createReadStream, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createRequire } from 'node:module';
import { httpDate } from '../http/dates.js';
import { HTTPException } from './http-error.js';
import { discardSource, kBody, kPrepare, sliceChunks, type BodySource } from './body.js';
import { HTML, Response, type CharsetOptions, type ResponseOptions } from './response.js';

/** Options of streamed responses whose length may be known in advance. */
export interface StreamOptions extends ResponseOptions {
  /** Body length in bytes when known: sent as Content-Length and enables ranges. */
  length?: number;
}

/** Iterables a streamed response accepts: chunks are strings (UTF-8) or bytes. */
export type ChunkSource = Iterable<unknown> | AsyncIterable<unknown>;

/**
 * Streams a sync or async iterable (a generator, for example) of strings or bytes, chunked
 * unless `length` is given. The iterator is closed (`return()`) when the client goes away.
 */
export class GeneratorResponse extends Response {
  #source: ChunkSource;
  #length: number | undefined;

  constructor(source: ChunkSource, options: StreamOptions = {}, defaultType = HTML) {
    super('', options, defaultType);
    this.#source = source;
    this.#length = options.length;
  }

  /** @internal How `respond()` obtains the body. */
  override [kBody](): BodySource {
    const source = this.#source;
    return {
      length: this.#length,
      open: (window) => (window ? sliceChunks(source, window) : source),
      discard: () => discardSource(source),
    };
  }
}

/** Streams a Node `Readable` (upstream's FileObjResponse); `application/octet-stream` by default. */
export class StreamResponse extends Response {
  #stream: Readable;
  #length: number | undefined;

  constructor(stream: Readable, options: StreamOptions = {}) {
    super('', options, 'application/octet-stream');
    this.#stream = stream;
    this.#length = options.length;
  }

  /** @internal How `respond()` obtains the body. */
  override [kBody](): BodySource {
    const stream = this.#stream;
    return {
      length: this.#length,
      open: (window) => (window ? sliceChunks(stream, window) : stream),
      discard: () => stream.destroy(),
    };
  }
}

/** Options of {@link FileResponse}. */
export interface FileResponseOptions extends ResponseOptions {
  /** Send a strong ETag (size and mtime), default true. */
  etag?: boolean;
  /** Send Last-Modified from the file's mtime, default true. */
  lastModified?: boolean;
  /** The file's stats when the caller already has them (saves a `stat` call). */
  stats?: Stats;
}

const READ_CHUNK = 64 * 1024;

const TEXTUAL = /^(?:text\/|application\/(?:javascript|json|xml)|image\/svg\+xml)/;

let mimeTypes: { getType(path: string): string | null } | undefined;

/** The Content-Type for a file name: MIME from `mime`, `charset=utf-8` for textual types. */
export function contentTypeFor(path: string): string {
  // The MIME table loads with the first file served, not with the app.
  mimeTypes ??= (createRequire(import.meta.url)('mime') as { default: NonNullable<typeof mimeTypes> }).default;
  const type = mimeTypes.getType(path) ?? 'application/octet-stream';
  return TEXTUAL.test(type) ? `${type}; charset=utf-8` : type;
}

/**
 * Sends a file from disk with Content-Type from its name, Last-Modified (mtime) and a strong
 * ETag; conditional requests (304/412) and single byte ranges (206/416) are answered
 * automatically. A missing file is a 404, an unreadable one a 403.
 */
export class FileResponse extends Response {
  /** The file's path. */
  readonly path: string;
  #size: number | undefined;
  #options: FileResponseOptions;

  constructor(path: string, options: FileResponseOptions = {}) {
    super('', { ...options, contentType: options.contentType ?? contentTypeFor(path) });
    this.path = path;
    this.#options = options;
    this.makePartial();
  }

  /** @internal Stats the file and fills the validators. */
  async [kPrepare](): Promise<void> {
    let info = this.#options.stats;
    if (!info) {
      try {
        info = await stat(this.path);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') throw new HTTPException(404);
        if (code === 'EACCES' || code === 'EPERM') throw new HTTPException(403);
        throw error;
      }
    }
    if (!info.isFile()) throw new HTTPException(403, { error: 'not a regular file' });
    this.#size = info.size;
    if (this.#options.lastModified !== false && !this.headers.has('last-modified')) {
      this.headers.set('Last-Modified', httpDate(info.mtimeMs));
    }
    if (this.#options.etag !== false && !this.headers.has('etag')) {
      this.headers.set('ETag', `"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`);
    }
  }

  /** @internal How `respond()` obtains the body. */
  override [kBody](): BodySource {
    const path = this.path;
    return {
      length: this.#size,
      open: (window) => {
        const size = this.#size ?? 0;
        const start = window?.start ?? 0;
        const end = window?.end ?? size - 1;
        if (end < start) return [];
        // A known end and a buffer no bigger than the file: open, one read per 64 KiB, close
        // (no extra read to find the end, no 64 KiB buffer for a 1 KiB file).
        return createReadStream(path, { start, end, highWaterMark: Math.min(READ_CHUNK, end - start + 1) });
      },
    };
  }
}

/**
 * Streams `data` as JSON; iterables and async iterables anywhere inside it are written as
 * arrays while they are produced (upstream needs simplejson for this).
 */
export class JSONGeneratorResponse extends Response {
  #data: unknown;

  constructor(data: unknown, options: CharsetOptions = {}) {
    const charset = options.charset;
    const type =
      charset === null || charset === '' ? 'application/json' : `application/json; charset=${charset ?? 'utf-8'}`;
    super('', options, type);
    this.#data = data;
  }

  /** @internal How `respond()` obtains the body. */
  override [kBody](): BodySource {
    const data = this.#data;
    return {
      length: undefined,
      open: () => encodeJson(data, ''),
    };
  }
}

function isIterableValue(value: object): value is ChunkSource {
  return Symbol.iterator in value || Symbol.asyncIterator in value;
}

/** Encodes a value as JSON text pieces, expanding (async) iterables into arrays lazily. */
async function* encodeJson(value: unknown, key: string): AsyncGenerator<string> {
  let current = value;
  if (
    current !== null &&
    typeof current === 'object' &&
    typeof (current as { toJSON?: unknown }).toJSON === 'function'
  ) {
    current = (current as { toJSON(key: string): unknown }).toJSON(key);
  }
  if (current === null || typeof current !== 'object') {
    yield JSON.stringify(current) ?? 'null';
    return;
  }
  if (Array.isArray(current) || (isIterableValue(current) && !(current instanceof Map))) {
    yield '[';
    let index = 0;
    for await (const item of current as ChunkSource) {
      if (index > 0) yield ',';
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') yield 'null';
      else yield* encodeJson(item, String(index));
      index += 1;
    }
    yield ']';
    return;
  }
  yield '{';
  let first = true;
  for (const [name, item] of Object.entries(current)) {
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
    yield `${first ? '' : ','}${JSON.stringify(name)}:`;
    first = false;
    yield* encodeJson(item, name);
  }
  yield '}';
}
