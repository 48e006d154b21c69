// Byte ranges: the Range request header (RFC 9110 §14.2) and the Content-Range of a 206.
import { TOKEN } from './headers.js';
import { contentRange } from './util.js';

/** One range of a `Range` header: `5-` is `{ start: 5 }`, `-20` (suffix) is `{ end: 20 }`. */
export interface RangeSpec {
  /** First byte, or undefined for a suffix range. */
  start: number | undefined;
  /** Last byte (inclusive), or the suffix length when `start` is undefined. */
  end: number | undefined;
}

/** A parsed `Range` header. */
export interface ParsedRange {
  /** The range unit, lower-cased (`bytes`). */
  unit: string;
  /** The ranges in order. */
  ranges: RangeSpec[];
}

const RANGE_SPEC = /^(\d{0,15})-(\d{0,15})$/;

/**
 * Parses a `Range` header strictly (RFC 9110 §14.1.1). Any syntax error, a range whose last
 * position precedes its first, or an empty set gives `undefined`: the header is then ignored.
 */
export function parseRange(value: string | undefined): ParsedRange | undefined {
  if (!value) return undefined;
  const eq = value.indexOf('=');
  if (eq <= 0) return undefined;
  const unit = value.slice(0, eq).trim().toLowerCase();
  if (!TOKEN.test(unit)) return undefined;
  const ranges: RangeSpec[] = [];
  for (const part of value.slice(eq + 1).split(',')) {
    const spec = part.trim();
    if (spec === '') continue;
    const found = RANGE_SPEC.exec(spec);
    if (!found) return undefined;
    const [, first = '', last = ''] = found;
    if (first === '' && last === '') return undefined;
    const start = first === '' ? undefined : Number(first);
    const end = last === '' ? undefined : Number(last);
    if (start !== undefined && end !== undefined && end < start) return undefined;
    ranges.push({ start, end });
  }
  return ranges.length > 0 ? { unit, ranges } : undefined;
}

/** A `Content-Range` value: `bytes 0-99/1000` (or `/*` when the length is unknown). */
export class ContentRange {
  /** First byte. */
  readonly start: number;
  /** Last byte (inclusive). */
  readonly end: number;
  /** Complete length, or `*`. */
  readonly full: number | '*';
  /** Range unit. */
  readonly units: string;

  constructor(start: number, end: number, full: number | '*' = '*', units = 'bytes') {
    this.start = start;
    this.end = end;
    this.full = full;
    this.units = units;
  }

  /** The header value. */
  toString(): string {
    return contentRange(this, this.full, this.units);
  }
}
