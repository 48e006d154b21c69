import { describe, expect, it } from 'vitest';
import {
  ContentRange,
  Headers,
  httpDate,
  parseHeader,
  parseHttpDate,
  parseNegotiation,
  parseRange,
  renderNegotiation,
} from '../src/index.js';

describe('Headers', () => {
  it('is ordered and case-insensitive, with multi-values', () => {
    const headers = new Headers([
      ['Content-Type', 'text/plain'],
      ['Set-Cookie', 'a=1'],
    ]);
    headers.add('set-cookie', 'b=2');
    headers.addHeader('Vary', 'Accept');
    expect(headers.get('content-type')).toBe('text/plain');
    expect(headers.getAll('SET-COOKIE')).toEqual(['a=1', 'b=2']);
    expect([...headers.keys()]).toEqual(['Content-Type', 'Set-Cookie', 'set-cookie', 'Vary']);
    expect(headers.size).toBe(4);
    headers.set('SET-cookie', 'only');
    expect(headers.getAll('set-cookie')).toEqual(['only']);
    expect(headers.delete('vary')).toBe(true);
    expect(headers.has('Vary')).toBe(false);
    expect(headers.toJSON()).toEqual({ 'Content-Type': 'text/plain', 'Set-Cookie': 'only' });
  });

  it('add() refuses duplicates except Set-Cookie', () => {
    const headers = new Headers({ ETag: '"1"' });
    expect(() => headers.add('etag', '"2"')).toThrow(TypeError);
    expect(() => headers.add('Set-Cookie', 'x').add('set-cookie', 'y')).not.toThrow();
  });

  it('refuses header injection and invalid names', () => {
    const headers = new Headers();
    expect(() => headers.set('X', 'a\r\nSet-Cookie: x=1')).toThrow(TypeError);
    expect(() => headers.set('X', 'a\nb')).toThrow(TypeError);
    expect(() => headers.set('X', 'a\0b')).toThrow(TypeError);
    expect(() => headers.set('Bad Name', 'x')).toThrow(TypeError);
    expect(() => headers.set('X:Y', 'x')).toThrow(TypeError);
    expect(() => new Headers({ 'X\r\n': 'x' })).toThrow(TypeError);
    expect(headers.size).toBe(0);
  });

  it('addHeader renders params and negotiation lists', () => {
    const headers = new Headers();
    headers.addHeader('Content-Disposition', 'attachment', { filename: 'a "b".txt', size_hint: null });
    headers.addHeader('Accept-Encoding', [
      ['gzip', 1],
      ['*', 0],
    ]);
    expect(headers.get('content-disposition')).toBe('attachment; filename="a \\"b\\".txt"; size-hint');
    expect(headers.get('accept-encoding')).toBe('gzip;q=1, *;q=0');
    expect(() => headers.addHeader('X')).toThrow(TypeError);
  });

  it('toRaw() is the flat writeHead list; non-ASCII values travel as UTF-8 bytes', () => {
    const ascii = new Headers({ A: '1', B: 2 });
    expect(ascii.toRaw()).toEqual(['A', '1', 'B', '2']);
    const unicode = new Headers({ 'X-Name': 'Ondřej' });
    expect(unicode.get('x-name')).toBe('Ondřej');
    expect(Buffer.from(unicode.toRaw()[1] as string, 'latin1').toString('utf8')).toBe('Ondřej');
  });

  it('fromRaw keeps the request order and duplicates', () => {
    const headers = Headers.fromRaw(['Host', 'a', 'X-A', '1', 'x-a', '2']);
    expect(headers.getAll('X-A')).toEqual(['1', '2']);
    expect([...headers]).toEqual([
      ['Host', 'a'],
      ['X-A', '1'],
      ['x-a', '2'],
    ]);
  });
});

describe('header helpers', () => {
  it('parseHeader', () => {
    const parsed = parseHeader('text/html; Charset="utf-8"; q="a;b"; flag; __proto__=x');
    expect(parsed.value).toBe('text/html');
    expect({ ...parsed.params }).toEqual({ charset: 'utf-8', q: 'a;b', flag: '', ['__proto__']: 'x' });
    expect(Object.getPrototypeOf(parsed.params)).toBe(null);
    expect(parseHeader('').value).toBe('');
  });

  it('parseNegotiation and renderNegotiation', () => {
    expect(parseNegotiation('text/html;level=1, application/json; q=0.5, */*;q=bad')).toEqual([
      ['text/html;level=1', 1],
      ['application/json', 0.5],
      ['*/*', 1],
    ]);
    expect(parseNegotiation(undefined)).toEqual([['', 1]]);
    expect(renderNegotiation([['gzip', 1], 'br'])).toBe('gzip;q=1, br');
  });

  it.each([
    ['bytes=0-0', { unit: 'bytes', ranges: [{ start: 0, end: 0 }] }],
    ['bytes=5-', { unit: 'bytes', ranges: [{ start: 5, end: undefined }] }],
    ['bytes=-20', { unit: 'bytes', ranges: [{ start: undefined, end: 20 }] }],
    ['bytes=-0', { unit: 'bytes', ranges: [{ start: undefined, end: 0 }] }],
    [
      'Bytes=0-1, 5-',
      {
        unit: 'bytes',
        ranges: [
          { start: 0, end: 1 },
          { start: 5, end: undefined },
        ],
      },
    ],
    ['items=1-2', { unit: 'items', ranges: [{ start: 1, end: 2 }] }],
  ])('parseRange(%s)', (header, expected) => {
    expect(parseRange(header)).toEqual(expected);
  });

  it.each([
    'bytes=5-1',
    'bytes=a-b',
    'bytes=-',
    'bytes',
    '=0-1',
    'bytes=0-1,x',
    'bytes=+1-2',
    'bytes=1234567890123456-',
    '',
  ])('parseRange(%s) is undefined', (header) => {
    expect(parseRange(header)).toBeUndefined();
  });

  it('httpDate and parseHttpDate accept the three RFC 9110 formats', () => {
    const time = Date.UTC(1994, 10, 6, 8, 49, 37);
    expect(httpDate(time)).toBe('Sun, 06 Nov 1994 08:49:37 GMT');
    expect(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT')).toBe(time);
    expect(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT')).toBe(time);
    expect(parseHttpDate('Sun Nov  6 08:49:37 1994')).toBe(time);
  });

  it.each([
    '1',
    'yesterday',
    'Sun, 31 Feb 1994 08:49:37 GMT',
    'Sun, 06 Nov 1994 25:49:37 GMT',
    '2026-01-01T00:00:00Z',
    '',
  ])('parseHttpDate(%s) is undefined', (value) => {
    expect(parseHttpDate(value)).toBeUndefined();
  });

  it('ContentRange', () => {
    expect(String(new ContentRange(0, 99, 1000))).toBe('bytes 0-99/1000');
    expect(new ContentRange(1, 2).toString()).toBe('bytes 1-2/*');
  });
});
