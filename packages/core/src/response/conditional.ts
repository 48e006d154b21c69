import { contentRange } from '../http/util.js';
import type { IncomingHttpHeaders } from 'node:http';
import { parseHttpDate } from '../http/dates.js';
import { parseRange, type RangeSpec } from '../http/ranges.js';
import { HTTPException } from './http-error.js';
import { kBody, type ByteWindow } from './body.js';
import { NotModifiedResponse, rangeOf, type Response } from './response.js';

/** Headers a 304 keeps from the 200 it replaces (RFC 9110 §15.4.5). */
const KEPT_ON_304 = ['etag', 'date', 'vary', 'content-location', 'cache-control', 'expires', 'x-powered-by'];

/** Splits an entity-tag list (`If-Match`, `If-None-Match`) into its tags. */
function parseTags(value: string): string[] {
  return value.match(/(?:W\/)?"[^"]*"|\*/g) ?? [];
}

function weakMatch(tags: string[], etag: string): boolean {
  const opaque = etag.startsWith('W/') ? etag.slice(2) : etag;
  return tags.some((tag) => tag === '*' || (tag.startsWith('W/') ? tag.slice(2) : tag) === opaque);
}

function strongMatch(tags: string[], etag: string): boolean {
  return !etag.startsWith('W/') && tags.some((tag) => tag === '*' || tag === etag);
}

/** Whole seconds, as HTTP dates have. */
function seconds(ms: number): number {
  return Math.floor(ms / 1000);
}

/** Does this response need {@link evaluateConditions}? Cheap: looks at its own headers only. */
export function hasValidators(response: Response): boolean {
  return rangeOf(response).enabled || response.headers.hasAny(VALIDATORS);
}

const VALIDATORS = ['etag', 'last-modified'];

/** Resolves the first satisfiable range against a body length. */
export function resolveRange(ranges: RangeSpec[], length: number): ByteWindow | undefined {
  for (const { start, end } of ranges) {
    if (start === undefined) {
      if (end === undefined || end === 0 || length === 0) continue;
      return { start: Math.max(0, length - end), end: length - 1 };
    }
    if (start >= length) continue;
    return { start, end: end === undefined ? length - 1 : Math.min(end, length - 1) };
  }
  return undefined;
}

/**
 * Evaluates conditional and range request headers for a 200 answer to GET or HEAD, in the
 * order of RFC 9110 §13.2.2: If-Match / If-Unmodified-Since (412), If-None-Match /
 * If-Modified-Since (304), then If-Range and Range (206 or 416). Unparseable dates are
 * ignored. Returns the response to send: the same one (possibly made partial) or a 304.
 */
export function evaluateConditions(method: string, headers: IncomingHttpHeaders, response: Response): Response {
  const etag = response.headers.get('etag');
  const lastModifiedText = response.headers.get('last-modified');
  const lastModified = parseHttpDate(lastModifiedText);

  const ifMatch = headers['if-match'];
  if (ifMatch !== undefined) {
    if (!etag || !strongMatch(parseTags(ifMatch), etag)) throw new HTTPException(412);
  } else {
    const since = parseHttpDate(headers['if-unmodified-since']);
    if (since !== undefined && lastModified !== undefined && seconds(lastModified) > seconds(since)) {
      throw new HTTPException(412);
    }
  }

  const ifNoneMatch = headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    if (etag && weakMatch(parseTags(ifNoneMatch), etag)) return notModified(response);
  } else {
    const since = parseHttpDate(headers['if-modified-since']);
    if (since !== undefined && lastModified !== undefined && seconds(lastModified) <= seconds(since)) {
      return notModified(response);
    }
  }

  if (rangeOf(response).enabled && method === 'GET') applyRange(headers, response, etag, lastModifiedText);
  return response;
}

function notModified(response: Response): Response {
  const result = new NotModifiedResponse({ representation: response });
  for (const [name, value] of response.headers) {
    if (KEPT_ON_304.includes(name.toLowerCase())) result.headers.add(name, value);
  }
  if (!response.headers.has('etag')) {
    const lastModified = response.headers.get('last-modified');
    if (lastModified) result.headers.set('Last-Modified', lastModified);
  }
  return result;
}

function applyRange(
  headers: IncomingHttpHeaders,
  response: Response,
  etag: string | undefined,
  lastModified: string | undefined,
): void {
  let ranges: RangeSpec[] | undefined = rangeOf(response).ranges;
  if (ranges === undefined) {
    const parsed = parseRange(headers.range);
    if (!parsed || parsed.unit !== 'bytes') return;
    const ifRangeHeader = headers['if-range'];
    const ifRange = Array.isArray(ifRangeHeader) ? ifRangeHeader[0] : ifRangeHeader;
    if (ifRange !== undefined) {
      // If-Range: an entity tag must match strongly, a date must equal Last-Modified exactly.
      const valid =
        ifRange.startsWith('"') || ifRange.startsWith('W/')
          ? etag !== undefined && strongMatch([ifRange.trim()], etag)
          : lastModified !== undefined && ifRange.trim() === lastModified;
      if (!valid) return;
    }
    ranges = parsed.ranges;
  }
  const source = response[kBody]();
  const length =
    typeof source === 'string' ? Buffer.byteLength(source) : Buffer.isBuffer(source) ? source.length : source.length;
  if (length === undefined) return;
  const window = ranges === undefined ? undefined : resolveRange(ranges, length);
  if (!window) {
    throw new HTTPException(416, { headers: { 'Content-Range': contentRange(undefined, length) } });
  }
  response.status = 206;
  response.headers.set('Content-Range', contentRange(window, length));
  rangeOf(response).window = window;
}
