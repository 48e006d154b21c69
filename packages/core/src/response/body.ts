import type { Readable } from 'node:stream';

/** Internal: how a response produces its body; read only by `respond()`. */
export const kBody = Symbol('poor.body');
/** Internal: async work a response must do before its headers are final (e.g. stat a file). */
export const kPrepare = Symbol('poor.prepare');
/** Internal: marks a response object as written, so it cannot be sent twice. */
export const kClaim = Symbol('poor.claim');

/** A byte window of a body, both ends inclusive. */
export interface ByteWindow {
  start: number;
  end: number;
}

/** A streamed body, as far as the writer is concerned. */
export interface StreamSource {
  /** Total byte length when known (enables Content-Length and ranges). */
  length: number | undefined;
  /** Opens the body, restricted to a byte window when one is given. */
  open(window: ByteWindow | undefined): Readable | Iterable<unknown> | AsyncIterable<unknown>;
  /** Releases the body without reading it (HEAD, 204, 304). */
  discard?(): void;
}

/** What a response body is: in-memory bytes (returned as is, no wrapper) or a stream. */
export type BodySource = string | Buffer | StreamSource;

/** Is the body in memory? */
export function isBytes(source: BodySource): source is string | Buffer {
  return typeof source === 'string' || Buffer.isBuffer(source);
}

/** Chunks of an iterable restricted to a byte window (used when a source cannot seek). */
export async function* sliceChunks(
  source: Iterable<unknown> | AsyncIterable<unknown>,
  window: ByteWindow,
): AsyncGenerator<Buffer> {
  let offset = 0;
  for await (const chunk of source) {
    const bytes = toBuffer(chunk);
    const chunkEnd = offset + bytes.length;
    if (chunkEnd > window.start) {
      const from = Math.max(0, window.start - offset);
      const to = Math.min(bytes.length, window.end + 1 - offset);
      if (to > from) yield bytes.subarray(from, to);
    }
    offset = chunkEnd;
    if (offset > window.end) return;
  }
}

/** Converts a body chunk to bytes; anything but strings and byte arrays is a TypeError. */
export function toBuffer(chunk: unknown): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new TypeError(`a streamed body chunk must be a string or bytes, got ${describeType(chunk)}`);
}

/** A short human name of a value's type, for log and error messages. */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name ? name : 'object';
}

/** Releases a body that will not be read: destroys streams, finishes generators. */
export function discardSource(source: unknown): void {
  const target = source as { destroy?: () => void; return?: () => unknown } | null;
  if (typeof target?.destroy === 'function') target.destroy();
  else if (typeof target?.return === 'function') {
    const result = target.return();
    if (result instanceof Promise) result.catch(() => undefined);
  }
}
