// The compression add-on: an after hook that re-encodes compressible answers with gzip or
// brotli from node:zlib. It runs after the conditional evaluation (a 304 stays a 304, with
// the Vary and ETag of the 200 it stands for) and leaves ranges, encoded bodies and
// `no-transform` answers alone.
import { Readable, pipeline } from 'node:stream';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import type { AddOn } from '../app/application.js';
import { parseNegotiation } from '../http/headers.js';
import { isBytes, kBody, type BodySource, type StreamSource } from '../response/body.js';
import { addVary, listsToken } from '../http/util.js';
import type { Request } from '../request/request.js';
import { NotModifiedResponse, rangeOf, Response } from '../response/response.js';

/** A content coding {@link compression} can produce. */
export type Coding = 'br' | 'gzip';

/** Options of {@link compression}. */
export interface CompressionOptions {
  /** Smallest body compressed, in bytes (default 1024); streams of unknown length are always compressed. */
  threshold?: number;
  /** Codings offered, in the server's order of preference (default `['br', 'gzip']`). */
  codings?: readonly Coding[];
  /** Which Content-Types to compress (default: text, JSON, XML, JavaScript, SVG, WebAssembly…). */
  filter?: (contentType: string) => boolean;
  /** Brotli quality 0–11 (default 4: fast enough for dynamic answers). */
  brotliQuality?: number;
  /** gzip level 1–9 (default 6). */
  gzipLevel?: number;
}

const COMPRESSIBLE =
  /^(?:text\/|application\/(?:json|javascript|ecmascript|xml|x-www-form-urlencoded|wasm|manifest\+json|[\w.+-]*\+(?:json|xml))|image\/svg\+xml|image\/x-icon|font\/(?:ttf|otf))/i;

/** Does a Content-Type usually shrink when compressed (text, JSON, XML, JavaScript, SVG …)? */
export function isCompressible(contentType: string): boolean {
  return COMPRESSIBLE.test(contentType);
}

/**
 * The codings an `Accept-Encoding` value allows among `offered`, best first: higher quality
 * wins, the server's order breaks ties, `*` stands for codings not named, `q=0` refuses.
 */
export function acceptedEncodings<C extends string>(header: string | undefined, offered: readonly C[]): C[] {
  if (!header) return [];
  const quality = new Map<string, number>();
  for (const [value, q] of parseNegotiation(header)) quality.set(value.toLowerCase(), q);
  const wildcard = quality.get('*') ?? 0;
  return offered
    .map((coding, order) => ({ coding, order, q: quality.get(coding) ?? wildcard }))
    .filter((item) => item.q > 0)
    .sort((a, b) => b.q - a.q || a.order - b.order)
    .map((item) => item.coding);
}

/** The answer, its body now encoded: same status and headers, length unknown until sent. */
class EncodedResponse extends Response {
  readonly #source: StreamSource;
  readonly #encoder: () => zlib.Gzip | zlib.BrotliCompress;

  constructor(original: Response, source: StreamSource, encoder: () => zlib.Gzip | zlib.BrotliCompress) {
    super('', { status: original.status, headers: original.headers }, '');
    this.#source = source;
    this.#encoder = encoder;
  }

  /** @internal How `respond()` obtains the body. */
  override [kBody](): BodySource {
    const source = this.#source;
    return {
      length: undefined,
      open: () => {
        const body = source.open(undefined);
        const readable = body instanceof Readable ? body : Readable.from(body as AsyncIterable<unknown>);
        const encoder = this.#encoder();
        // Errors and early closes on either side end both streams.
        pipeline(readable, encoder, () => undefined);
        return encoder;
      },
      discard: () => source.discard?.(),
    };
  }
}

/**
 * Compresses answers with gzip or brotli (`node:zlib`) when the client accepts it:
 * `app.use(compression())`. Compressible types above the threshold only; never a range, a
 * HEAD answer, a body already encoded (precompressed files from `@poor/static` stay as they
 * are) or `Cache-Control: no-transform`. Adds `Vary: Accept-Encoding` and weakens a strong
 * ETag (the encoded bytes differ; `If-None-Match` still matches it).
 */
export function compression(options: CompressionOptions = {}): AddOn {
  const threshold = options.threshold ?? 1024;
  const codings = options.codings ?? ['br', 'gzip'];
  const filter = options.filter ?? isCompressible;
  const brotli = {
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: options.brotliQuality ?? 4,
    },
  };
  const gzip = { level: options.gzipLevel ?? 6 };
  const brotliBytes = promisify(zlib.brotliCompress);
  const gzipBytes = promisify(zlib.gzip);

  /**
   * What compression does to `response` for `req`, without doing it: whether the answer
   * varies by Accept-Encoding, and the coding it is sent in (undefined: as it is).
   */
  const decide = (req: Request, response: Response): { vary: boolean; coding: Coding | undefined } => {
    const headers = response.headers;
    const type = headers.get('content-type');
    if (type === undefined || !filter(type)) return { vary: false, coding: undefined };
    const as = { vary: true, coding: undefined };
    if (req.method === 'HEAD' || headers.has('content-encoding') || headers.has('content-range')) return as;
    if (listsToken(headers.get('cache-control'), 'no-transform')) return as;
    if (rangeOf(response).window !== undefined) return as;
    const coding = acceptedEncodings(req.raw.headers['accept-encoding'], codings)[0];
    if (coding === undefined) return as;
    const source = response[kBody]();
    // in-memory bytes or a stream's declared length (undefined when unknown)
    const size = typeof source === 'string' ? Buffer.byteLength(source) : source.length;
    return { vary: true, coding: size !== undefined && size < threshold ? undefined : coding };
  };

  /** A strong ETag made weak: the encoded bytes differ, `If-None-Match` still matches. */
  const weaken = (response: Response): void => {
    const etag = response.headers.get('etag');
    if (etag !== undefined && etag.startsWith('"')) response.headers.set('ETag', `W/${etag}`);
  };

  const hook = async (req: Request, response: Response): Promise<Response> => {
    const status = response.status;
    if (response instanceof NotModifiedResponse) {
      // The 304 carries what its 200 would have: Vary, and the ETag as the encoding left it.
      const of = response.representation;
      if (of === undefined) return response;
      const { vary, coding } = decide(req, of);
      if (vary) addVary(response.headers, 'Accept-Encoding');
      if (coding !== undefined) weaken(response);
      return response;
    }
    if (status < 200 || status === 204 || status === 206 || status === 304) return response;
    const { vary, coding } = decide(req, response);
    if (vary) addVary(response.headers, 'Accept-Encoding');
    if (coding === undefined) return response;
    const headers = response.headers;
    const source = response[kBody]();
    if (rangeOf(response).enabled) headers.delete('accept-ranges');
    headers.delete('content-length');
    headers.set('Content-Encoding', coding);
    weaken(response);
    if (isBytes(source)) {
      const bytes = coding === 'br' ? await brotliBytes(source, brotli) : await gzipBytes(source, gzip);
      return new Response(bytes, { status, headers }, '');
    }
    const encoder = coding === 'br' ? () => zlib.createBrotliCompress(brotli) : () => zlib.createGzip(gzip);
    return new EncodedResponse(response, source, encoder);
  };
  return (app) => {
    app.after(hook);
  };
}
