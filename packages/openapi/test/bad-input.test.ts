// Bad input against @poor/openapi over a real socket: every case is answered with a 4xx (the
// validation ones with the JSON error body), never a 500, never a hang, and nothing is logged
// above debug for any of them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application, InjectOptions } from '@poor/core';
import { recordingLogger } from './transports.js';
import { fixtureApp, KEY } from './fixtures.js';

const logger = recordingLogger();
let app: Application;
let base = '';
beforeAll(async () => {
  app = fixtureApp({ logger, debug: true });
  app.route('/described', () => ({ n: 1 })); // every operation has a route: no start-up warning
  const { port } = await app.listen({ port: 0 });
  base = `http://127.0.0.1:${port}`;
});
afterAll(() => app.close());

const deep = (levels: number): object => {
  let node: object = { value: 1 };
  for (let index = 0; index < levels; index += 1) node = { next: node };
  return node;
};
const put = (body: string, type = 'application/json'): InjectOptions => ({
  method: 'PUT',
  url: '/pets/3',
  headers: { ...KEY, 'content-type': type },
  body,
});
const form = (body: string, type: string): InjectOptions => ({
  method: 'POST',
  url: '/forms',
  headers: { ...KEY, 'content-type': type },
  body,
});
const get = (url: string, headers: Record<string, string> = {}): InjectOptions => ({
  url,
  headers: { ...KEY, ...headers },
});
const pet = (extra: object): string => JSON.stringify({ name: 'Rex', ...extra });
const styles = '/styles/.1/;matrix=1/1';

// [what, request, status, answered with the JSON error body]
const cases: Array<[string, InjectOptions, number, boolean]> = [
  ['path below minimum', get('/pets/0'), 400, true],
  ['negative path id', get('/pets/-5'), 400, true],
  ['query not a number', get('/search?limit=abc'), 400, true],
  ['query empty', get('/search?limit='), 400, true],
  ['query overflowing to Infinity', get('/search?limit=1e400'), 400, true],
  ['query in hexadecimal', get('/search?limit=0x10'), 400, true],
  ['query NUL byte', get('/search?limit=%00'), 400, true],
  ['query required and missing', get('/search'), 400, true],
  ['query above maximum', get('/search?limit=101'), 400, true],
  ['query fraction for an integer', get('/search?limit=2.5'), 400, true],
  ['query against a pattern', get('/search?limit=5&code=12a'), 400, true],
  ['query outside an enum', get('/pets/1?fields=colour'), 400, true],
  ['query boolean spelled wrong', get('/pets/1?verbose=yes'), 400, true],
  ['header against a pattern', get('/pets/1', { 'x-trace': 'not-hex!' }), 400, true],
  ['label style value not a number', get('/styles/.x/;matrix=1/1'), 400, true],
  ['label style without its dot', get('/styles/1/;matrix=1/1'), 400, true],
  ['matrix style without its semicolon', get('/styles/.1/matrix=1/1'), 400, true],
  ['simple array with an empty item', get('/styles/.1/;matrix=1/1,,2'), 400, true],
  ['JSON query parameter malformed', get(`${styles}?where=not-json`), 400, true],
  ['JSON query parameter of the wrong type', get(`${styles}?where=%5B%5D`), 400, true],
  [
    'JSON query parameter with only __proto__',
    get(`${styles}?where=%7B%22__proto__%22%3A%7B%22q%22%3A1%7D%7D`),
    400,
    true,
  ],
  ['deepObject property of the wrong type', get(`${styles}?filter[min]=x`), 400, true],
  [
    'array over maxItems in the query',
    get(`${styles}?csv=${Array.from({ length: 500 }, (_, i) => i).join(',')}`),
    400,
    true,
  ],
  ['cookie outside an enum', get(styles, { cookie: 'theme=pink' }), 400, true],
  ['header array of words', get(styles, { 'x-ids': 'a,b' }), 400, true],
  ['body: required property missing', put('{}'), 400, true],
  ['body: empty string under minLength', put(pet({ name: '' })), 400, true],
  ['body: string over maxLength', put(pet({ name: 'x'.repeat(51) })), 400, true],
  ['body: number for a string', put('{"name":5}'), 400, true],
  ['body: extra property', put(pet({ extra: 1 })), 400, true],
  ['body: integer sent as text', put(pet({ age: '3' })), 400, true],
  ['body: fraction for an integer', put(pet({ age: 3.5 })), 400, true],
  ['body: below minimum', put(pet({ age: -1 })), 400, true],
  ['body: array item of the wrong type', put(pet({ tags: [1] })), 400, true],
  ['body: huge array over maxItems', put(pet({ tags: Array.from({ length: 100_000 }, () => 't') })), 400, true],
  ['body: an array instead of an object', put('[]'), 400, true],
  ['body: a string instead of an object', put('"text"'), 400, true],
  ['body: null', put('null'), 400, true],
  ['body: __proto__ key', put('{"name":"a","__proto__":{"admin":true}}'), 400, true],
  ['body: constructor.prototype key', put('{"name":"a","constructor":{"prototype":{"admin":true}}}'), 400, true],
  [
    'body: recursive schema, wrong leaf deep down',
    put(pet({ child: deep(150) }).replace('"value":1', '"value":"x"')),
    400,
    true,
  ],
  [
    'body: nested deeper than the JSON depth limit',
    put(`{"name":"a","child":${'{"next":'.repeat(5000)}{}${'}'.repeat(5000)}}`),
    400,
    false,
  ],
  ['body: malformed JSON', put('{"name":'), 400, false],
  [
    'body: invalid UTF-8',
    { ...put(''), body: Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]) },
    400,
    false,
  ],
  ['body: unknown charset', put(pet({}), 'application/json; charset=klingon'), 400, false],
  ['body: undeclared content type', put(pet({}), 'application/xml'), 415, true],
  [
    'body: no content type',
    { method: 'PUT', url: '/pets/3', headers: { ...KEY, 'content-type': '' }, body: pet({}) },
    415,
    true,
  ],
  ['body: required and empty', { method: 'PUT', url: '/pets/3', headers: KEY }, 400, true],
  ['form: integer field of words', form('count=many', 'application/x-www-form-urlencoded'), 400, true],
  ['form: required field missing', form('tags=a', 'application/x-www-form-urlencoded'), 400, true],
  ['multipart: no boundary', form('--x\r\n', 'multipart/form-data'), 400, false],
  [
    'multipart: required file missing',
    form(
      '--b\r\nContent-Disposition: form-data; name="note"\r\n\r\nhi\r\n--b--\r\n',
      'multipart/form-data; boundary=b',
    ),
    400,
    true,
  ],
  ['text body over maxLength', form('far too long', 'text/plain'), 400, true],
  ['+json body malformed', form('{', 'application/merge-patch+json'), 400, false],
  ['security: no credentials', { url: '/secure/key' }, 401, true],
  ['security: empty API key', { url: '/secure/key', headers: { 'x-api-key': '' } }, 401, true],
  ['security: Basic without credentials', { url: '/secure/http', headers: { authorization: 'Basic' } }, 401, true],
  ['security: garbage Authorization', { url: '/secure/http', headers: { authorization: '!!! ###' } }, 401, true],
  ['security: one scheme of two', { url: '/secure/both', headers: KEY }, 401, true],
];

describe('@poor/openapi refuses bad input with a clear 4xx', () => {
  it(`holds for ${cases.length} cases`, () => expect(cases.length).toBeGreaterThanOrEqual(40));

  it.each(cases)('%s', async (_what, request, status, jsonBody) => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers ?? {})) headers.set(name, String(value));
    const response = await fetch(base + request.url, {
      method: request.method ?? 'GET',
      headers,
      body: request.body as BodyInit | undefined,
      signal: AbortSignal.timeout(5000),
    });
    expect(response.status).toBe(status);
    const text = await response.text();
    if (jsonBody) {
      const body = JSON.parse(text) as { detail: string; errors: Array<{ in: string; name: string; message: string }> };
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(typeof body.detail).toBe('string');
      expect(body.errors.length).toBeGreaterThan(0);
      for (const issue of body.errors) expect(Object.keys(issue).sort()).toEqual(['in', 'message', 'name']);
    }
  });

  it('logged nothing above debug for any of them, and polluted no prototype', () => {
    expect(logger.lines.filter((line) => line.level !== 'debug')).toEqual([]);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });
});
