// Property-based tests (fast-check) of every parser Poor wrote: each "never throws anything
// but its documented error" on arbitrary input, round-trips what it serializes, and agrees
// with the reference where Node has one (URLSearchParams, decodeURIComponent). A few thousand
// runs each in `npm test`; POOR_FUZZ_RUNS=200000 for a long run. A failure prints its seed and
// the shrunk counterexample: make it a regular test when fixing it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Application,
  HTTPException,
  httpDate,
  parseCookies,
  parseHeader,
  parseHttpDate,
  parseNegotiation,
  parseQuery,
  parseRange,
  PoorSession,
  renderNegotiation,
  Router,
  serializeCookie,
  SessionError,
} from '../src/index.js';
import { parseAuthorization } from '../src/http/auth-params.js';

const runs = Number(process.env.POOR_FUZZ_RUNS ?? 2000);
const options = { numRuns: runs };
/** Inputs with everything: control characters, lone surrogates, astral planes. */
const anyText = fc.string({ unit: 'binary', maxLength: 200 });
/** Text made of the characters that matter to the parser, so the grammar gets exercised. */
const grammar = (chars: string, maxLength = 60): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...chars.split('')), maxLength });

function entriesOf(fields: { keys(): string[]; getList(key: string): unknown[] }): Array<[string, unknown]> {
  return fields.keys().flatMap((key) => fields.getList(key).map((value): [string, unknown] => [key, value]));
}

describe('query strings (parseQuery)', () => {
  it('never throws when lenient; strict throws only HTTPException 400', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, grammar('a=&%+2Fz0é;')), (text) => {
        parseQuery(text);
        try {
          parseQuery(text, { strictParsing: true });
        } catch (error) {
          expect(error).toBeInstanceOf(HTTPException);
          expect((error as HTTPException).status).toBe(400);
        }
      }),
      options,
    );
  });

  it('agrees with URLSearchParams on what URLSearchParams writes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ unit: 'grapheme', minLength: 1 }), fc.string({ unit: 'grapheme' })), {
          maxLength: 8,
        }),
        (pairs) => {
          const text = new URLSearchParams(pairs).toString();
          const ours = entriesOf(parseQuery(text, { keepBlankValues: true, strictParsing: true }));
          const theirs = [...new URLSearchParams(text)];
          // grouped by key in first-seen order, values in order: the same multiset per key
          for (const [key] of theirs) {
            expect(ours.filter(([k]) => k === key).map(([, v]) => v)).toEqual(
              theirs.filter(([k]) => k === key).map(([, v]) => v),
            );
          }
          expect(ours.length).toBe(theirs.length);
        },
      ),
      options,
    );
  });

  it('stops at maxPairs with a 413', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 60 }), (max, count) => {
        const text = Array.from({ length: count }, (_, index) => `k${index}=v`).join('&');
        if (count <= max) expect(parseQuery(text, { maxPairs: max }).size).toBe(count);
        else expect(() => parseQuery(text, { maxPairs: max })).toThrow(expect.objectContaining({ status: 413 }));
      }),
      options,
    );
  });
});

const COOKIE_NAME = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const COOKIE_OCTETS = Array.from({ length: 0x7f - 0x21 }, (_, index) => String.fromCharCode(0x21 + index))
  .filter((char) => !'",;\\'.includes(char))
  .join('');

describe('cookies (parseCookies, serializeCookie)', () => {
  it('parseCookies never throws and builds prototype-free objects', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, grammar('a=b; "__proto__=x,')), (header) => {
        const cookies = parseCookies(header);
        expect(Object.getPrototypeOf(cookies)).toBeNull();
      }),
      options,
    );
  });

  it('round-trips: what serializeCookie writes, parseCookies reads back', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.tuple(
            grammar(COOKIE_NAME, 20).filter((name) => name !== ''),
            grammar(COOKIE_OCTETS, 40),
          ),
          {
            selector: ([name]) => name,
            maxLength: 6,
          },
        ),
        (pairs) => {
          const header = pairs.map(([name, value]) => serializeCookie(name, value).split(';')[0]).join('; ');
          const cookies = parseCookies(header);
          for (const [name, value] of pairs) {
            // a value wrapped in double quotes is read without them (RFC 6265 §4.1.1)
            const expected =
              value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
            expect(cookies[name]).toBe(expected);
          }
        },
      ),
      options,
    );
  });

  it('serializeCookie throws only TypeError, and never lets ; CR LF through', () => {
    fc.assert(
      fc.property(anyText, anyText, anyText, (name, value, path) => {
        try {
          const line = serializeCookie(name, value, { path });
          expect(line).not.toMatch(/[\r\n]/);
          expect(line.split('; ')[0]).toBe(`${name}=${value}`);
        } catch (error) {
          expect(error).toBeInstanceOf(TypeError);
        }
      }),
      options,
    );
  });
});

describe('header values (parseHeader, parseNegotiation)', () => {
  it('never throw', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, grammar('a/b;q=0.5,"x\\= ')), (text) => {
        const parsed = parseHeader(text);
        expect(typeof parsed.value).toBe('string');
        for (const [, quality] of parseNegotiation(text)) expect(quality >= 0 && quality <= 1).toBe(true);
      }),
      options,
    );
  });

  it('round-trip: renderNegotiation then parseNegotiation', () => {
    const token = grammar('abcdefghijklmnopqrstuvwxyz0123456789-*/+.', 12).filter((text) => text !== '');
    const quality = fc.integer({ min: 0, max: 1000 }).map((value) => value / 1000);
    fc.assert(
      fc.property(fc.array(fc.tuple(token, quality), { minLength: 1, maxLength: 8 }), (list) => {
        expect(parseNegotiation(renderNegotiation(list))).toEqual(list);
      }),
      options,
    );
  });
});

describe('ranges (parseRange)', () => {
  it('never throws; what it returns is well-formed', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, grammar('bytes=0123456789-, ')), (text) => {
        const parsed = parseRange(text);
        if (!parsed) return;
        expect(parsed.ranges.length).toBeGreaterThan(0);
        for (const { start, end } of parsed.ranges) {
          expect(start !== undefined || end !== undefined).toBe(true);
          if (start !== undefined && end !== undefined) expect(end).toBeGreaterThanOrEqual(start);
        }
      }),
      options,
    );
  });

  it('round-trips ranges written as RFC 9110 says', () => {
    const position = fc.integer({ min: 0, max: 10 ** 15 - 1 });
    const spec = fc.oneof(
      fc.tuple(position, position).map(([a, b]) => ({ start: Math.min(a, b), end: Math.max(a, b) })),
      position.map((start) => ({ start, end: undefined })),
      position.map((end) => ({ start: undefined, end })),
    );
    fc.assert(
      fc.property(fc.array(spec, { minLength: 1, maxLength: 20 }), (ranges) => {
        const text = 'bytes=' + ranges.map(({ start, end }) => `${start ?? ''}-${end ?? ''}`).join(', ');
        expect(parseRange(text)).toEqual({ unit: 'bytes', ranges });
      }),
      options,
    );
  });
});

describe('HTTP dates (httpDate, parseHttpDate)', () => {
  it('round-trip at second precision', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 253402300799 }), (seconds) => {
        expect(parseHttpDate(httpDate(seconds * 1000))).toBe(seconds * 1000);
      }),
      options,
    );
  });

  it('parseHttpDate never throws', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, grammar('MonTueJanFeb 0123456789:-GMT,', 40)), (text) => {
        const value = parseHttpDate(text);
        if (value !== undefined) expect(Number.isFinite(value)).toBe(true);
      }),
      options,
    );
  });
});

describe('Authorization (parseAuthorization)', () => {
  it('never throws: a result or a message', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, grammar('Digest a="b\\",c=d, =')), (text) => {
        const result = parseAuthorization(text);
        expect(typeof result === 'string' || typeof result.scheme === 'string').toBe(true);
      }),
      options,
    );
  });

  it('round-trips auth-params with quoted values (escapes included)', () => {
    const name = grammar('abcdefghijklmnopqrstuvwxyz', 10).filter((text) => text !== '');
    const value = fc.string({
      unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
      maxLength: 30,
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(name, value), { selector: ([key]) => key, minLength: 1, maxLength: 6 }),
        (params) => {
          const header =
            'Digest ' + params.map(([key, text]) => `${key}="${text.replace(/[\\"]/g, '\\$&')}"`).join(', ');
          const parsed = parseAuthorization(header);
          expect(typeof parsed).toBe('object');
          expect({ ...(parsed as { params: Record<string, string> }).params }).toEqual(Object.fromEntries(params));
        },
      ),
      options,
    );
  });
});

describe('the session cookie (PoorSession)', () => {
  const key = 'k'.repeat(32);
  const json = fc
    .jsonValue({ maxDepth: 3 })
    .filter((value) => value !== null && typeof value === 'object' && !Array.isArray(value));

  it('round-trips any JSON object', () => {
    fc.assert(
      fc.property(json, (data) => {
        const out = new PoorSession(key);
        out.data = data as Record<string, unknown>;
        const line = out.header()[0]?.[1] as string;
        const cookie = parseCookies(line.split(';')[0]);
        const back = new PoorSession(key).load(cookie);
        expect(back.data).toEqual(JSON.parse(JSON.stringify(data)));
      }),
      { numRuns: Math.min(runs, 500) },
    );
  });

  it('a forged or garbled cookie throws only SessionError', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, grammar('abcXYZ019-_.~!')), (value) => {
        try {
          new PoorSession(key).load({ SESSID: value });
        } catch (error) {
          expect(error).toBeInstanceOf(SessionError);
        }
      }),
      options,
    );
  });
});

describe('route patterns and paths', () => {
  const segment = grammar('abcxyz-_.~', 8).filter((text) => text !== '');
  const group = fc.constantFrom('<a>', '<b:int>', '<c:float>', '<d:word>', '<e:hex>', '<f:re:[a-z]+>');

  it('adding arbitrary patterns throws only TypeError', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, grammar('/<>:abint()[]\\.*+?')), (pattern) => {
        const router = new Router();
        try {
          router.add(pattern, ['GET'], () => 'x');
        } catch (error) {
          expect(error).toBeInstanceOf(TypeError);
        }
      }),
      options,
    );
  });

  it('a path built for a pattern matches it and converts every parameter', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(segment, group), { minLength: 1, maxLength: 6 }),
        fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 6, maxLength: 6 }),
        (parts, numbers) => {
          const seen = new Set<string>();
          const unique = parts.filter((part) => !part.startsWith('<') || (!seen.has(part) && seen.add(part)));
          const pattern = '/' + unique.join('/');
          const values: unknown[] = [];
          const path =
            '/' +
            unique
              .map((part, index) => {
                const number = numbers[index % numbers.length] as number;
                if (!part.startsWith('<')) return part;
                if (part.includes(':int')) return values.push(number) && String(number);
                if (part.includes(':float')) return values.push(number / 4) && String(number / 4);
                if (part.includes(':hex')) return values.push('beef') && 'beef';
                if (part.includes(':re:') || part.includes(':word')) return values.push('word') && 'word';
                return values.push(`v${index}`) && `v${index}`;
              })
              .join('/');
          const router = new Router();
          router.add(pattern, ['GET'], () => 'x');
          const match = router.match('GET', path);
          expect(match.kind).toBe('found');
          if (match.kind === 'found') expect(match.args ?? []).toEqual(values);
        },
      ),
      options,
    );
  });

  it('the request path is decodeURIComponent of the target, or a 400 (never a 500)', async () => {
    const app = new Application('paths', { logger: false });
    app.route('/p/<rest:re:.*>', (req) => req.path);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ unit: 'grapheme', maxLength: 20 }).map((text) => ({ raw: encodeURIComponent(text), text })),
          grammar('%0aAfFzZ/.-', 12).map((raw) => ({ raw, text: undefined })),
        ),
        async ({ raw, text }) => {
          const reply = await app.inject(`/p/${raw}`);
          let expected: string | undefined;
          try {
            expected = decodeURIComponent(`/p/${raw}`);
          } catch {
            expected = undefined;
          }
          if (expected === undefined) expect(reply.status).toBe(400);
          else if (reply.status === 200) expect(reply.text()).toBe(expected);
          else expect(reply.status).toBeLessThan(500);
          if (text !== undefined && reply.status === 200) expect(reply.text()).toBe(`/p/${text}`);
        },
      ),
      { numRuns: Math.min(runs, 1000) },
    );
  });
});
