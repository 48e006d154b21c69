// The bad-input corpus (issue 12 §1): raw requests, each with the class of answer it must
// get. Built by family; every family is plain data so a new finding is one more line.

/** What a case must get: an exact status, a range, or (for a body cut short by the client) no answer at all. */
export type Expect = number | readonly [min: number, max: number] | 'closed-or-4xx';

/** One raw request. */
export interface Case {
  /** Family and what is wrong. */
  name: string;
  /** The bytes on the wire (a whole request, or several pipelined). */
  raw: string | Buffer;
  /** The answer class. */
  expect: Expect;
  /** Also sent through `inject()` (it can be expressed as method, URL, headers, body). */
  inject?: boolean;
}

export const CLIENT_ERROR = [400, 499] as const;
/** Anything but a server error: the input is odd but legal, or ignorable. */
export const NOT_5XX = [200, 499] as const;

const CRLF = '\r\n';

/** A request with a Host header; `headers` are complete lines. */
function request(method: string, target: string, headers: string[] = [], body = ''): string {
  return [`${method} ${target} HTTP/1.1`, 'Host: test.local', ...headers, '', body].join(CRLF);
}

function withBody(method: string, target: string, type: string, body: string | Buffer, extra: string[] = []): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const head = request(method, target, [`Content-Type: ${type}`, `Content-Length: ${bytes.length}`, ...extra]);
  return Buffer.concat([Buffer.from(head, 'latin1'), bytes]);
}

function chunked(target: string, body: string, extra: string[] = []): string {
  return request('POST', target, ['Content-Type: application/json', 'Transfer-Encoding: chunked', ...extra], body);
}

function multipart(parts: string[], boundary = 'XyZ', type = `multipart/form-data; boundary=${boundary}`): Buffer {
  const body = parts.map((part) => `--${boundary}${CRLF}${part}${CRLF}`).join('') + `--${boundary}--${CRLF}`;
  return withBody('POST', '/upload', type, body);
}

const part = (name: string, value: string, extra = ''): string =>
  `Content-Disposition: form-data; name="${name}"${extra}${CRLF}${CRLF}${value}`;

const urls: Case[] = [
  ...[
    '/%',
    '/%zz',
    '/%c3%28',
    '/%C0%AF',
    '/%E0%80%AF',
    '/%ED%A0%80',
    '/%F8%88%80%80%80',
    '/%FF',
    '/echo/%',
    '/echo/%%',
    '/echo/%gg',
    '/echo/%c3',
    '/echo/%e2%82',
  ].map((target) => ({
    name: `url: malformed or overlong percent-encoding ${target}`,
    raw: request('GET', target),
    expect: 400,
    inject: true,
  })),
  ...['/%00', '/echo/a%00b', '/echo/%00'].map((target) => ({
    name: `url: encoded NUL ${target}`,
    raw: request('GET', target),
    expect: NOT_5XX,
    inject: true,
  })),
  ...[
    '/..',
    '/../etc/passwd',
    '/%2e%2e/etc/passwd',
    '/%2e%2e%2fetc%2fpasswd',
    '/..%2f..%2fetc',
    '/%252e%252e/',
    '/.%2e/.%2e/',
    '/..\\..\\windows',
    '/%5c..%5c..%5c',
    '/echo/../../etc/passwd',
    '/echo/%2e%2e%2f%2e%2e%2f',
    '/echo/..%c0%af..%c0%af',
  ].map((target) => ({
    name: `url: dot segments ${target}`,
    raw: request('GET', target),
    expect: NOT_5XX,
    inject: true,
  })),
  { name: 'url: absolute-form', raw: request('GET', 'http://evil.example/ok'), expect: NOT_5XX },
  { name: 'url: absolute-form https', raw: request('GET', 'https://test.local/ok'), expect: NOT_5XX },
  { name: 'url: asterisk-form OPTIONS', raw: request('OPTIONS', '*'), expect: 204 },
  { name: 'url: asterisk-form GET', raw: request('GET', '*'), expect: CLIENT_ERROR },
  { name: 'url: no leading slash', raw: request('GET', 'ok'), expect: CLIENT_ERROR },
  { name: 'url: 8 KB path', raw: request('GET', '/' + 'a'.repeat(8000)), expect: 404, inject: true },
  { name: 'url: 64 KB path', raw: request('GET', '/' + 'a'.repeat(65_536)), expect: CLIENT_ERROR },
  { name: 'url: 64 KB query', raw: request('GET', '/ok?' + 'a=b&'.repeat(16_384)), expect: CLIENT_ERROR },
  {
    name: 'url: 2 000 query pairs',
    raw: request('GET', '/echo/q?' + 'a=b&'.repeat(2000)),
    expect: NOT_5XX,
    inject: true,
  },
  { name: 'url: malformed query escapes', raw: request('GET', '/echo/q?a=%&b=%zz&%=1'), expect: 200, inject: true },
  {
    name: 'url: __proto__ in the query',
    raw: request('GET', '/echo/q?__proto__=1&constructor=2'),
    expect: 200,
    inject: true,
  },
  { name: 'url: fragment sent', raw: request('GET', '/ok#frag'), expect: NOT_5XX },
  { name: 'url: raw space in the target', raw: 'GET /a b HTTP/1.1\r\nHost: x\r\n\r\n', expect: CLIENT_ERROR },
  { name: 'url: raw NUL in the target', raw: 'GET /a\0b HTTP/1.1\r\nHost: x\r\n\r\n', expect: CLIENT_ERROR },
  { name: 'url: raw DEL in the target', raw: 'GET /a\x7fb HTTP/1.1\r\nHost: x\r\n\r\n', expect: CLIENT_ERROR },
  {
    name: 'url: raw UTF-8 bytes in the target',
    raw: Buffer.from('GET /echo/é HTTP/1.1\r\nHost: x\r\n\r\n', 'utf8'),
    expect: NOT_5XX,
  },
  { name: 'url: empty target', raw: 'GET  HTTP/1.1\r\nHost: x\r\n\r\n', expect: CLIENT_ERROR },
  { name: 'request line: two spaces', raw: 'GET  /ok HTTP/1.1\r\nHost: x\r\n\r\n', expect: NOT_5XX },
  { name: 'request line: tab separator', raw: 'GET\t/ok HTTP/1.1\r\nHost: x\r\n\r\n', expect: CLIENT_ERROR },
  { name: 'request line: HTTP/2.0', raw: 'GET /ok HTTP/2.0\r\nHost: x\r\n\r\n', expect: NOT_5XX },
  { name: 'request line: HTTP/9.9', raw: 'GET /ok HTTP/9.9\r\nHost: x\r\n\r\n', expect: CLIENT_ERROR },
  { name: 'request line: HTTP/1.1 without Host', raw: 'GET /ok HTTP/1.1\r\n\r\n', expect: 400 },
  { name: 'request line: garbage', raw: '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03', expect: 'closed-or-4xx' },
  { name: 'request line: only CRLFs', raw: '\r\n\r\n\r\n', expect: 'closed-or-4xx' },
  { name: 'request line: LF only', raw: 'GET /ok HTTP/1.1\nHost: x\n\n', expect: NOT_5XX },
];

const methods: Case[] = [
  ...['PROPFIND', 'MKCOL', 'LOCK', 'PURGE', 'SEARCH'].map((method) => ({
    name: `method: unknown token ${method}`,
    raw: request(method, '/ok'),
    expect: [400, 501] as const,
    inject: true,
  })),
  {
    name: 'method: CONNECT',
    raw: 'CONNECT test.local:443 HTTP/1.1\r\nHost: test.local:443\r\n\r\n',
    expect: [400, 501],
  },
  ...['DELETE', 'PATCH', 'PUT', 'TRACE'].map((method) => ({
    name: `method: ${method} on a GET route`,
    raw: request(method, '/ok'),
    expect: 405,
    inject: true,
  })),
  { name: 'method: lower-case get', raw: request('get', '/ok'), expect: CLIENT_ERROR },
  { name: 'method: not a token', raw: request('G(T', '/ok'), expect: CLIENT_ERROR },
  { name: 'method: 1 KB long', raw: request('X'.repeat(1024), '/ok'), expect: CLIENT_ERROR },
  { name: 'method: OPTIONS on a route', raw: request('OPTIONS', '/ok'), expect: 204, inject: true },
  { name: 'method: HEAD', raw: request('HEAD', '/ok'), expect: 200, inject: true },
];

const headers: Case[] = [
  { name: 'header: 100 KB value', raw: request('GET', '/ok', ['X-Big: ' + 'a'.repeat(102_400)]), expect: 431 },
  {
    name: 'header: 3 000 headers',
    raw: request(
      'GET',
      '/ok',
      Array.from({ length: 3000 }, (_, i) => `X-H${i}: v`),
    ),
    expect: [400, 431],
  },
  { name: 'header: duplicate Host', raw: 'GET /ok HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', expect: NOT_5XX },
  {
    name: 'header: duplicate Content-Length, different',
    raw: 'POST /json HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}',
    expect: 400,
  },
  {
    name: 'header: duplicate Content-Length, equal',
    raw: 'POST /json HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}',
    expect: NOT_5XX,
  },
  {
    name: 'header: Content-Length list',
    raw: 'POST /json HTTP/1.1\r\nHost: x\r\nContent-Length: 2, 2\r\n\r\n{}',
    expect: NOT_5XX,
  },
  { name: 'header: obs-fold', raw: 'GET /ok HTTP/1.1\r\nHost: x\r\nX-A: a\r\n  folded\r\n\r\n', expect: NOT_5XX },
  { name: 'header: bare CR in a value', raw: 'GET /ok HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n', expect: CLIENT_ERROR },
  { name: 'header: NUL in a value', raw: 'GET /ok HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n', expect: CLIENT_ERROR },
  { name: 'header: DEL in a value', raw: 'GET /ok HTTP/1.1\r\nHost: x\r\nX-A: a\x7fb\r\n\r\n', expect: NOT_5XX },
  {
    name: 'header: bytes above 0x7f in a value',
    raw: Buffer.from('GET /ok HTTP/1.1\r\nHost: x\r\nX-A: \xff\xfe\r\n\r\n', 'latin1'),
    expect: NOT_5XX,
  },
  { name: 'header: space in the name', raw: 'GET /ok HTTP/1.1\r\nHost: x\r\nX A: b\r\n\r\n', expect: CLIENT_ERROR },
  {
    name: 'header: space before the colon',
    raw: 'GET /ok HTTP/1.1\r\nHost: x\r\nX-A : b\r\n\r\n',
    expect: CLIENT_ERROR,
  },
  { name: 'header: no colon', raw: 'GET /ok HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n', expect: CLIENT_ERROR },
  { name: 'header: empty name', raw: 'GET /ok HTTP/1.1\r\nHost: x\r\n: v\r\n\r\n', expect: CLIENT_ERROR },
  ...['-1', 'abc', '1e3', '0x10', ' ', '99999999999999999999999'].map((value) => ({
    name: `header: Content-Length ${JSON.stringify(value)}`,
    raw: `POST /json HTTP/1.1\r\nHost: x\r\nContent-Length: ${value}\r\n\r\n{}`,
    expect: [400, 413] as const,
  })),
  {
    name: 'header: Content-Length 10 GB',
    raw: request('POST', '/json', ['Content-Type: application/json', 'Content-Length: 10737418240']),
    expect: 413,
  },
  {
    name: 'header: Expect: 100-continue on GET',
    raw: request('GET', '/ok', ['Expect: 100-continue']),
    expect: [100, 417],
  },
  { name: 'header: Expect: something else', raw: request('GET', '/ok', ['Expect: teapot']), expect: [200, 417] },
  ...[
    'Accept: ;;;,,,q=x',
    'Accept-Language: *;q=nan, en;q=2',
    'Accept-Encoding: gzip;q=1e9, br;q=-1',
    'Authorization: ',
    'Authorization: Digest ",,,',
    'Authorization: Basic !!!',
    'If-None-Match: "unterminated',
    'If-Modified-Since: yesterday',
    'If-Unmodified-Since: 32 Feb 2024',
    'If-Range: garbage',
    'Cookie: ;;;==;a',
    'Cookie: __proto__=polluted; constructor=x',
    'Cookie: ' + 'a=b; '.repeat(2000),
    'Cookie: a="unterminated; b=c',
    'Content-Type: ;;;',
    'Range: bytes=',
    'X-Forwarded-For: not, an, address',
    'X-Forwarded-Host: evil.example',
    'X-Request-Id: ' + 'r'.repeat(1000),
    'Upgrade: h2c',
    'Connection: Upgrade, HTTP2-Settings',
    'Origin: null',
  ].map((line) => ({
    name: `header: odd ${line.slice(0, 40)}`,
    raw: request('GET', '/ok', [line]),
    expect: 200,
    inject: true,
  })),
];

const ranges: Case[] = [
  ...[
    ['bytes=0-0', 206],
    ['bytes=5-1', 200],
    ['bytes=-0', 416],
    ['bytes=100000-', 416],
    ['bytes=99999999999999999999-', 200],
    ['bytes=0-99999999999999999999', 200],
    ['bytes=abc', 200],
    ['items=0-1', 200],
    ['bytes=0-1,', 206],
    ['bytes=,', 200],
    ['bytes=0-1, 0-1, 0-1', 206],
    ['bytes=0-5, 3-8', 206],
    ['bytes=-1, -2, -3', 206],
    ['bytes=' + Array.from({ length: 1000 }, (_, i) => `${i}-${i}`).join(','), 206],
    ['bytes=' + Array.from({ length: 1000 }, () => '0-').join(','), 206],
    ['BYTES=0-1', 206],
  ].map(([value, status]) => ({
    name: `range: ${String(value).slice(0, 40)}`,
    raw: request('GET', '/file', [`Range: ${String(value)}`]),
    expect: status as number,
    inject: true,
  })),
  {
    name: 'range: If-Range with another ETag',
    raw: request('GET', '/file', ['Range: bytes=0-1', 'If-Range: "other"']),
    expect: 200,
    inject: true,
  },
  {
    name: 'range: If-Range with a date',
    raw: request('GET', '/file', ['Range: bytes=0-1', 'If-Range: Thu, 01 Jan 1970 00:00:00 GMT']),
    expect: 200,
    inject: true,
  },
];

const conditionals: Case[] = [
  {
    name: 'conditional: If-Match that fails',
    raw: request('GET', '/file', ['If-Match: "nope"']),
    expect: 412,
    inject: true,
  },
  { name: 'conditional: If-Match *', raw: request('GET', '/file', ['If-Match: *']), expect: 200, inject: true },
  {
    name: 'conditional: If-None-Match *',
    raw: request('GET', '/file', ['If-None-Match: *']),
    expect: 304,
    inject: true,
  },
  {
    name: 'conditional: If-Unmodified-Since 1970',
    raw: request('GET', '/file', ['If-Unmodified-Since: Thu, 01 Jan 1970 00:00:00 GMT']),
    expect: 412,
    inject: true,
  },
  {
    name: 'conditional: If-Modified-Since in the future',
    raw: request('GET', '/file', ['If-Modified-Since: Fri, 31 Dec 9999 23:59:59 GMT']),
    expect: 304,
    inject: true,
  },
  {
    name: 'conditional: If-None-Match list of 1 000',
    raw: request('GET', '/file', ['If-None-Match: ' + Array.from({ length: 1000 }, (_, i) => `"t${i}"`).join(', ')]),
    expect: 200,
    inject: true,
  },
];

const json: Case[] = [
  ...[
    ['truncated', '{"a":'],
    ['not JSON', 'hello'],
    ['trailing comma', '{"a":1,}'],
    ['single quotes', "{'a':1}"],
    ['deep nesting', '['.repeat(100_000) + ']'.repeat(100_000)],
    ['deep objects', '{"a":'.repeat(5000) + '1' + '}'.repeat(5000)],
    ['NaN', '{"a":NaN}'],
  ].map(([what, body]) => ({
    name: `json: ${what}`,
    raw: withBody('POST', '/json', 'application/json', body as string),
    expect: [400, 413] as const,
    inject: true,
  })),
  ...[
    ['huge number', '{"n":1e999999}'],
    ['lone surrogate escape', '{"a":"\\ud800"}'],
    ['empty', ''],
    ['long number', '{"n":' + '9'.repeat(10_000) + '}'],
    ['__proto__ key', '{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}'],
    ['null', 'null'],
    ['a string', '"text"'],
    ['BOM first', '\ufeff{"a":1}'],
    ['10 000 keys', '{' + Array.from({ length: 10_000 }, (_, i) => `"k${i}":${i}`).join(',') + '}'],
  ].map(([what, body]) => ({
    name: `json: ${what}`,
    raw: withBody('POST', '/json', 'application/json', body as string),
    expect: NOT_5XX,
    inject: true,
  })),
  {
    name: 'json: over the body limit',
    raw: withBody('POST', '/json', 'application/json', '[' + '1,'.repeat(40_000) + '1]'),
    expect: 413,
    inject: true,
  },
  {
    name: 'json: charset latin1',
    raw: withBody('POST', '/json', 'application/json; charset=latin1', '{"a":"\xe9"}'),
    expect: NOT_5XX,
    inject: true,
  },
  {
    name: 'json: charset unknown',
    raw: withBody('POST', '/json', 'application/json; charset=klingon', '{}'),
    expect: NOT_5XX,
    inject: true,
  },
  {
    name: 'json: UTF-16 bytes',
    raw: withBody('POST', '/json', 'application/json', Buffer.from('{"a":1}', 'utf16le')),
    expect: [400, 415],
    inject: true,
  },
  {
    name: 'json: invalid UTF-8',
    raw: withBody(
      'POST',
      '/json',
      'application/json',
      Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]),
    ),
    expect: NOT_5XX,
    inject: true,
  },
  {
    name: 'json: body shorter than Content-Length',
    raw: request('POST', '/json', ['Content-Type: application/json', 'Content-Length: 100'], '{"a":1}'),
    expect: 'closed-or-4xx',
  },
  {
    name: 'json: body longer than Content-Length',
    raw: request('POST', '/json', ['Content-Type: application/json', 'Content-Length: 2'], '{}garbage'),
    expect: NOT_5XX,
  },
];

const forms: Case[] = [
  {
    name: 'form: 10 000 fields',
    raw: withBody('POST', '/form', 'application/x-www-form-urlencoded', 'a=b&'.repeat(10_000)),
    expect: 413,
    inject: true,
  },
  {
    name: 'form: malformed escapes',
    raw: withBody('POST', '/form', 'application/x-www-form-urlencoded', 'a=%&b=%zz&%c3=1'),
    expect: 200,
    inject: true,
  },
  {
    name: 'form: pairs without =',
    raw: withBody('POST', '/form', 'application/x-www-form-urlencoded', 'a&b&c'),
    expect: 200,
    inject: true,
  },
  {
    name: 'form: invalid UTF-8',
    raw: withBody('POST', '/form', 'application/x-www-form-urlencoded', Buffer.from('a=%ff%fe&b=\xff', 'latin1')),
    expect: 400,
    inject: true,
  },
  {
    name: 'form: __proto__ field',
    raw: withBody('POST', '/form', 'application/x-www-form-urlencoded', '__proto__=x&constructor=y'),
    expect: 200,
    inject: true,
  },
  {
    name: 'form: over the body limit',
    raw: withBody('POST', '/form', 'application/x-www-form-urlencoded', 'a=' + 'b'.repeat(70_000)),
    expect: 413,
    inject: true,
  },
  {
    name: 'form: unknown content type',
    raw: withBody('POST', '/form', 'application/x-whatever', 'a=b'),
    expect: 200,
    inject: true,
  },
  {
    name: 'form: content type with bad parameters',
    raw: withBody('POST', '/form', 'application/x-www-form-urlencoded; ;;charset', 'a=b'),
    expect: NOT_5XX,
    inject: true,
  },
];

const multiparts: Case[] = [
  {
    name: 'multipart: no boundary',
    raw: withBody('POST', '/upload', 'multipart/form-data', '--x\r\n\r\n--x--'),
    expect: 400,
    inject: true,
  },
  {
    name: 'multipart: empty boundary',
    raw: withBody('POST', '/upload', 'multipart/form-data; boundary=', '--\r\n\r\n----'),
    expect: 400,
    inject: true,
  },
  {
    name: 'multipart: 100-character boundary',
    raw: multipart([part('a', '1')], 'b'.repeat(100)),
    expect: NOT_5XX,
    inject: true,
  },
  {
    name: 'multipart: 10 000 parts',
    raw: multipart(Array.from({ length: 10_000 }, (_, i) => part(`f${i}`, 'v'))),
    expect: 413,
    inject: true,
  },
  {
    name: 'multipart: part without a name',
    raw: multipart(['Content-Disposition: form-data\r\n\r\nvalue']),
    expect: NOT_5XX,
    inject: true,
  },
  { name: 'multipart: part without headers', raw: multipart(['\r\nvalue']), expect: NOT_5XX, inject: true },
  {
    name: 'multipart: part without Content-Disposition',
    raw: multipart(['Content-Type: text/plain\r\n\r\nvalue']),
    expect: NOT_5XX,
    inject: true,
  },
  {
    name: 'multipart: nested multipart/mixed',
    raw: multipart([
      `Content-Disposition: form-data; name="n"\r\nContent-Type: multipart/mixed; boundary=in\r\n\r\n--in\r\n\r\nx\r\n--in--`,
    ]),
    expect: NOT_5XX,
    inject: true,
  },
  {
    name: 'multipart: 100 KB part header',
    raw: multipart([`Content-Disposition: form-data; name="a"\r\nX-Big: ${'h'.repeat(100_000)}\r\n\r\nv`]),
    expect: NOT_5XX,
    inject: true,
  },
  {
    name: 'multipart: no closing boundary',
    raw: withBody('POST', '/upload', 'multipart/form-data; boundary=XyZ', `--XyZ\r\n${part('a', '1')}\r\n`),
    expect: 400,
    inject: true,
  },
  {
    name: 'multipart: garbage instead of parts',
    raw: withBody('POST', '/upload', 'multipart/form-data; boundary=XyZ', 'no boundary in here at all'),
    expect: [400, 499],
    inject: true,
  },
  {
    name: 'multipart: more files than allowed',
    raw: multipart(Array.from({ length: 6 }, (_, i) => part(`f${i}`, 'data', `; filename="f${i}.txt"`))),
    expect: 413,
    inject: true,
  },
  {
    name: 'multipart: a file over the size limit',
    raw: multipart([part('f', 'x'.repeat(40_000), '; filename="big.bin"')]),
    expect: 413,
    inject: true,
  },
  {
    name: 'multipart: file name with ../',
    raw: multipart([part('f', 'data', '; filename="../../etc/passwd"')]),
    expect: 200,
    inject: true,
  },
  {
    name: 'multipart: file name with NUL and CR',
    raw: multipart([part('f', 'data', '; filename="a\0b\rc"')]),
    expect: NOT_5XX,
    inject: true,
  },
  {
    name: 'multipart: filename* in a strange charset',
    raw: multipart([part('f', 'data', "; filename*=klingon''x")]),
    expect: NOT_5XX,
    inject: true,
  },
  {
    name: 'multipart: __proto__ field',
    raw: multipart([part('__proto__', 'x'), part('constructor', 'y')]),
    expect: 200,
    inject: true,
  },
  {
    name: 'multipart: unquoted name with spaces',
    raw: multipart(['Content-Disposition: form-data; name=a b\r\n\r\nv']),
    expect: NOT_5XX,
    inject: true,
  },
];

const chunks: Case[] = [
  { name: 'chunked: valid, for reference', raw: chunked('/json', '2\r\n{}\r\n0\r\n\r\n'), expect: 200 },
  { name: 'chunked: bad size', raw: chunked('/json', 'zz\r\n{}\r\n0\r\n\r\n'), expect: CLIENT_ERROR },
  { name: 'chunked: negative size', raw: chunked('/json', '-2\r\n{}\r\n0\r\n\r\n'), expect: CLIENT_ERROR },
  { name: 'chunked: huge size', raw: chunked('/json', 'ffffffffffffffffff\r\n{}\r\n0\r\n\r\n'), expect: [400, 413] },
  {
    name: 'chunked: size past the body limit',
    raw: chunked('/json', '100000\r\n' + 'a'.repeat(100) + '\r\n0\r\n\r\n'),
    expect: 'closed-or-4xx',
  },
  { name: 'chunked: missing CRLF after data', raw: chunked('/json', '2\r\n{}0\r\n\r\n'), expect: CLIENT_ERROR },
  { name: 'chunked: chunk extension', raw: chunked('/json', '2;name=value\r\n{}\r\n0\r\n\r\n'), expect: 200 },
  {
    name: 'chunked: 10 KB chunk extension',
    raw: chunked('/json', `2;${'e'.repeat(10_000)}\r\n{}\r\n0\r\n\r\n`),
    expect: [200, 499],
  },
  { name: 'chunked: trailer', raw: chunked('/json', '2\r\n{}\r\n0\r\nX-Trailer: yes\r\n\r\n'), expect: 200 },
  {
    name: 'chunked: bad trailer name',
    raw: chunked('/json', '2\r\n{}\r\n0\r\nBad Trailer: yes\r\n\r\n'),
    expect: CLIENT_ERROR,
  },
  { name: 'chunked: no last chunk (client ends)', raw: chunked('/json', '2\r\n{}\r\n'), expect: 'closed-or-4xx' },
  {
    name: 'chunked: with Content-Length (CL.TE smuggling)',
    raw: request(
      'POST',
      '/json',
      ['Content-Type: application/json', 'Content-Length: 4', 'Transfer-Encoding: chunked'],
      '0\r\n\r\nGET /ok HTTP/1.1\r\nHost: x\r\n\r\n',
    ),
    expect: 400,
  },
  {
    name: 'chunked: TE.CL smuggling',
    raw: request(
      'POST',
      '/json',
      ['Content-Type: application/json', 'Transfer-Encoding: chunked', 'Content-Length: 3'],
      '8\r\nSMUGGLED\r\n0\r\n\r\n',
    ),
    expect: 400,
  },
  {
    name: 'chunked: Transfer-Encoding: chunked, chunked',
    raw: chunked('/json', '2\r\n{}\r\n0\r\n\r\n').replace(
      'Transfer-Encoding: chunked',
      'Transfer-Encoding: chunked, chunked',
    ),
    expect: CLIENT_ERROR,
  },
  {
    name: 'chunked: Transfer-Encoding gzip only',
    raw: request('POST', '/json', ['Transfer-Encoding: gzip'], 'x'),
    expect: CLIENT_ERROR,
  },
  {
    name: 'chunked: Transfer-Encoding xchunked',
    raw: request('POST', '/json', ['Transfer-Encoding: xchunked'], '0\r\n\r\n'),
    expect: CLIENT_ERROR,
  },
  {
    name: 'chunked: Transfer-Encoding with a space before the colon',
    raw: 'POST /json HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n',
    expect: CLIENT_ERROR,
  },
  {
    name: 'chunked: on HTTP/1.0',
    raw: 'POST /json HTTP/1.0\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n',
    expect: NOT_5XX,
  },
];

const sessions: Case[] = [
  ...['garbage', 'a.b.c', 'x'.repeat(5000), '%%%', 'eyJhIjoxfQ', '..', '"quoted"'].map((value) => ({
    name: `session: forged cookie ${value.slice(0, 20)}`,
    raw: request('GET', '/session', [`Cookie: SESSID=${value}`]),
    expect: [200, 499] as const,
    inject: true,
  })),
];

const digests: Case[] = [
  ...[
    'Digest',
    'Digest username=',
    'Digest username="alice"',
    'Digest username="alice", realm="Zone", nonce="x", uri="/private", response="y"',
    'Digest username="alice", realm="Other", nonce="x", uri="/private", response="y", qop=auth, nc=1, cnonce="c"',
    'Digest username="alice", realm="Zone", nonce="x", uri="/elsewhere", response="y", qop=auth, nc=00000001, cnonce="c"',
    'Digest username="alice", realm="Zone", nonce="x", uri="/private", response="y", qop=auth, nc=' +
      'f'.repeat(100) +
      ', cnonce="c"',
    'Digest username="alice", username="bob"',
    'Digest username="al\\"ice", realm="Zone"',
    'Digest ' + 'a=b, '.repeat(1000),
    'Basic ' + 'A'.repeat(5000),
    'Basic Og==',
    'Basic bm9jb2xvbg==',
    'Bearer token',
    'Digest username*=UTF-8\'\'%ff%fe, realm="Zone"',
  ].map((value, index) => ({
    name: `digest ${index + 1}: ${value.slice(0, 48)}`,
    raw: request('GET', '/private', [`Authorization: ${value}`]),
    expect: [400, 401] as const,
    inject: true,
  })),
];

/** Every case, by family. */
export const CORPUS: readonly Case[] = [
  ...urls,
  ...methods,
  ...headers,
  ...ranges,
  ...conditionals,
  ...json,
  ...forms,
  ...multiparts,
  ...chunks,
  ...sessions,
  ...digests,
];
