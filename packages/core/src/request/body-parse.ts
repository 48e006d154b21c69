import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import { HTTPException } from '../response/http-error.js';
import type { Settings } from '../settings/settings.js';

/** A client that went away mid-body: its mistake, not the server's (a 400, no 5xx, no error log). */
export function clientGone(): HTTPException {
  return new HTTPException(400, { error: 'the client closed the connection before the body ended' });
}

/** Did the client close the connection before its request body ended? */
export function leftMidBody(raw: IncomingMessage): boolean {
  return !raw.complete && (raw.destroyed || raw.socket?.destroyed === true);
}

/** What automatic parsing does with a request's body. */
export type BodyKind = 'json' | 'form' | undefined;

/**
 * Should `autoJson` / `autoForm` parse the request's body before the handler, and how?
 * Cheap for body-less requests: one scan of the raw header list.
 */
export function bodyKind(settings: Settings, req: { readonly hasBody: boolean; readonly mimeType: string }): BodyKind {
  if (!settings.autoJson && !settings.autoForm) return undefined;
  if (!req.hasBody) return undefined;
  const mime = req.mimeType;
  if (settings.autoJson && settings.jsonMimeTypes.includes(mime)) return 'json';
  if (settings.autoForm && settings.formMimeTypes.includes(mime)) return 'form';
  return undefined;
}

/**
 * Does the request carry a body (a non-zero Content-Length or a Transfer-Encoding)? Scans the
 * raw header list, without making Node build its lazy `headers` object (a cost plain
 * node:http does not pay).
 */
export function hasBody(raw: readonly string[]): boolean {
  for (let index = 0; index < raw.length; index += 2) {
    const name = raw[index] as string;
    if (name.length === 14 && name.toLowerCase() === 'content-length') {
      if (raw[index + 1] !== '0') return true;
    } else if (name.length === 17 && name.toLowerCase() === 'transfer-encoding') {
      return true;
    }
  }
  return false;
}

/**
 * Is the body's length unknowable (RFC 9112 §6.3): a Transfer-Encoding whose last coding is
 * not chunked? Such a request gets a 400.
 */
export function unframed(raw: IncomingMessage): boolean {
  const coding = raw.headers['transfer-encoding'];
  return (
    coding !== undefined &&
    coding
      .slice(coding.lastIndexOf(',') + 1)
      .trim()
      .toLowerCase() !== 'chunked'
  );
}

/** Parses a JSON body's bytes; throws a 400 for a bad charset, bad JSON or nesting deeper than `depth`. */
export function parseJson(data: Buffer, charset: string, depth: number): unknown {
  const text = decodeText(data, charset);
  // What is accepted must be answerable: a value nested thousands deep parses, but then
  // overflows the stack of the code that walks it (JSON.stringify of an echo).
  if (text.length > 2 * depth && nestsDeeper(text, depth)) {
    throw new HTTPException(400, { error: `invalid JSON body: nested deeper than ${depth} levels` });
  }
  try {
    // JSON.parse defines "__proto__" as an own key, so parsed data cannot pollute prototypes.
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HTTPException(400, { error: `invalid JSON body: ${(error as Error).message}` });
  }
}

/** At most `max + 1`: how many `{` and `[` the text holds (native searches, no character loop). */
function countOpenings(text: string, max: number): number {
  let count = 0;
  for (const bracket of ['{', '[']) {
    for (let at = text.indexOf(bracket); at !== -1; at = text.indexOf(bracket, at + 1)) {
      count += 1;
      if (count > max) return count;
    }
  }
  return count;
}

/** Does JSON text nest arrays and objects deeper than `max` (brackets inside strings ignored)? */
function nestsDeeper(text: string, max: number): boolean {
  // Fewer openings than the limit cannot nest deeper: the common case skips the scan below,
  // which walks every character (4 µs for 1 KB, as much as JSON.parse itself).
  if (countOpenings(text, max) <= max) return false;
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === 0x5c)
        index += 1; // backslash: skip the escaped character
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) {
      inString = true;
    } else if (code === 0x5b || code === 0x7b) {
      depth += 1;
      if (depth > max) return true;
    } else if (code === 0x5d || code === 0x7d) {
      depth -= 1;
    }
  }
  return false;
}

/** Bytes to text in `charset`; 400 for an unknown charset or bytes invalid in it. */
export function decodeText(data: Buffer, charset: string): string {
  if (charset === 'utf-8' || charset === 'utf8') {
    // The common case without a TextDecoder per request; a BOM is dropped as TextDecoder does.
    if (!isUtf8(data)) throw new HTTPException(400, { error: `the body is not valid ${charset}` });
    const bom = data.length >= 3 && data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf;
    return data.toString('utf8', bom ? 3 : 0);
  }
  try {
    return new TextDecoder(charset, { fatal: true }).decode(data);
  } catch {
    throw new HTTPException(400, { error: `the body is not valid ${charset}` });
  }
}

/** Reads the whole body within `limit` (413 beyond, 400 when the client goes away). */
export function readBody(raw: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    readBodyThen(raw, limit, (error, data) => (data === undefined ? reject(error) : resolve(data))),
  );
}

/** Reads the whole body within `limit` and calls `done` once: with the bytes, or with the error (413, client gone). */
export function readBodyThen(raw: IncomingMessage, limit: number, done: (error: unknown, data?: Buffer) => void): void {
  const tooLarge = (): HTTPException => new HTTPException(413, { error: `the body is larger than ${limit} bytes` });
  if (Number(raw.headers['content-length'] ?? -1) > limit) {
    raw.resume();
    done(tooLarge());
    return;
  }
  // Event listeners rather than `for await`: leaving an async iterator early destroys the
  // socket, and the 413 answer must still reach the client.
  const chunks: Buffer[] = [];
  let size = 0;
  const cleanup = (): void => {
    raw.off('data', onData);
    raw.off('end', onEnd);
    raw.off('error', onError);
    raw.off('close', onClose);
  };
  const onData = (chunk: Buffer): void => {
    size += chunk.length;
    if (size <= limit) {
      chunks.push(chunk);
      return;
    }
    cleanup();
    raw.resume();
    done(tooLarge());
  };
  const onEnd = (): void => {
    cleanup();
    done(undefined, chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
  };
  const onError = (error: Error): void => {
    cleanup();
    done(raw.complete ? error : clientGone());
  };
  const onClose = (): void => {
    cleanup();
    done(clientGone());
  };
  raw.on('data', onData);
  raw.on('end', onEnd);
  raw.on('error', onError);
  raw.on('close', onClose);
}
