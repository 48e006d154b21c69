// The "simple" example: a TypeScript port of PoorWSGI's examples/simple.py with the same URLs.
// Run: npm start  (or: npm run example -- simple)
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Writable } from 'node:stream';
import type { ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import {
  Application,
  before,
  errorHandler,
  escapeHtml,
  FileResponse,
  GeneratorResponse,
  hook,
  htmlPage,
  HTTPException,
  NoContentResponse,
  NotModifiedResponse,
  PartialResponse,
  Response,
  route,
  StreamResponse,
  type Request,
  type UploadInfo,
} from '@poor/core';

// The `email` filter (the `filters` option below), known to the types: its values are strings.
declare module '@poor/core' {
  interface PoorFilters {
    email: string;
  }
}
import { serve } from './serve.js';

const source = fileURLToPath(import.meta.url);
const favicon = readFileSync(new URL('./assets/favicon.ico', import.meta.url));
const style = readFileSync(new URL('./assets/style.css', import.meta.url));

/** Raised by `/bad-request`; its error handler turns it into a 400. */
class ValueError extends Error {}
class MyValueError extends ValueError {}

function page(title: string, body: string): string {
  return htmlPage(title, body).replace('</head>', '<link rel="stylesheet" href="/style.css">\n</head>');
}

function table(rows: Array<[string, unknown]>): string {
  const body = rows
    .map(([key, value]) => `<tr><th>${escapeHtml(key)}</th><td>${escapeHtml(String(value))}</td></tr>`)
    .join('\n');
  return `<table>\n${body}\n</table>`;
}

function requestTable(req: Request): string {
  const headers: Array<[string, unknown]> = [...req.headers];
  return `<h2>Request headers</h2>\n${table(headers)}\n<h2>Request</h2>\n${table([
    ['method', req.method],
    ['path', req.path],
    ['query', req.query],
    ['remote address', req.remoteAddr],
    ['uri rule', req.uriRule],
  ])}`;
}

/**
 * Custom upload storage, like upstream's StorageFactory: each file is written to
 * `<dir>/<unique>-<name>` (the client's name is reduced to a safe base name) and remembered,
 * so the handler can read it back and remove it.
 */
class UploadStorage {
  readonly stored: Array<UploadInfo & { path: string }> = [];

  constructor(readonly dir: string) {}

  /**
   * The `fileCallback` for `req.readForm()`. Poor destroys the stream of an upload that fails
   * (a limit, a malformed body, a client gone): a file that never finished is removed then.
   */
  readonly writer = (file: UploadInfo): Writable => {
    mkdirSync(this.dir, { recursive: true });
    const safe = basename(file.filename).replace(/[^\w.-]+/g, '_') || 'upload';
    const path = join(this.dir, `${randomUUID()}-${safe}`);
    const entry = { ...file, path };
    this.stored.push(entry);
    const stream = createWriteStream(path);
    stream.once('close', () => {
      if (stream.writableFinished) return;
      this.stored.splice(this.stored.indexOf(entry), 1);
      rmSync(path, { force: true });
    });
    return stream;
  };
}

const FORMS = `
<h2>GET form</h2>
<form method="get" action="/test/form"><input name="gname" value="Ondřej"> <input name="gx" value="1"> <input name="gx" value="2"> <button>Send</button></form>
<h2>Multipart POST form</h2>
<form method="post" action="/test/form?gname=arg" enctype="multipart/form-data"><input name="pname" value="Tůma"> <input name="px" value="1"> <input name="px" value="2"> <button>Send</button></form>
<h2>Urlencoded POST form</h2>
<form method="post" action="/test/form?gname=arg"><input name="pname" value="Tůma"> <input name="px" value="3"> <button>Send</button></form>`;

const LINKS: Array<[string, string]> = [
  ['/test/form', 'Forms and arguments'],
  ['/test/upload', 'File upload'],
  ['/test/static', 'Static test'],
  ['/test/3e4666bf-d5e5-4aa7-b8ce-cefe41c7568a', 'UUID variable'],
  ['/test/-5', 'Integer variable'],
  ['/test/3.14', 'Float variable'],
  ['/test/word', 'Word variable'],
  ['/test/user@example.net', 'E-mail variable'],
  ['/test/a/b/c', 'Three variables'],
  ['/test/[grr]', 'Regular expression variable'],
  ['/test/empty', 'No content (204)'],
  ['/test/partial/generator', 'Partial generator (send a Range header)'],
  ['/test/partial/empty', 'Partial empty'],
  ['/test/partial/unicodes', 'Custom range unit (Range: unicodes=0-9)'],
  ['/yield', 'Generator response'],
  ['/chunked', 'Chunked response'],
  ['/simple', 'Example source as a stream'],
  ['/simple.ts', 'Example source as a file (ETag, ranges)'],
  ['/none', 'None (204)'],
  ['/bad-request', 'Bad request (400)'],
  ['/forbidden', 'Forbidden (403)'],
  ['/not-modified', 'Not modified (304)'],
  ['/internal-server-error', 'Internal server error (500)'],
  ['/not-implemented', 'Not implemented (501)'],
  ['/no-page', 'Not found (404)'],
  ['/debug-info', 'Debug info'],
];

const STATIC_ETAG = 'W/"0123"';

class Simple {
  @before({ scope: 'app' })
  logRequest(req: Request): void {
    req.app.logger.debug?.(`${req.method} ${req.fullPath}`, Object.fromEntries(req.headers));
  }

  // Upstream's after_response hook: here phase onResponse, once the answer is written.
  @hook('onResponse')
  logResponse(req: Request, res: ServerResponse): void {
    req.app.logger.debug?.(`${req.method} ${req.fullPath} -> ${res.statusCode}`);
  }

  @route('/')
  index(req: Request): string {
    const items = LINKS.map(
      ([href, label]) => `<li><a href="${href}">${escapeHtml(label)}</a> <code>${escapeHtml(href)}</code></li>`,
    );
    const home = `<li><a href="${escapeHtml(req.constructUrl('/'))}">${escapeHtml(req.constructUrl('/'))}</a> (this page)</li>`;
    return page('Simple.ts - Index', `<nav><ul>\n${home}\n${items.join('\n')}\n</ul></nav>`);
  }

  @route('/favicon.ico')
  favicon(): Response {
    return new Response(favicon, { contentType: 'image/vnd.microsoft.icon' });
  }

  @route('/style.css')
  style(): Response {
    return new Response(style, { contentType: 'text/css' });
  }

  @route('/test/static')
  staticTest(req: Request): Response {
    // Upstream compares a request header literally named ETag; If-None-Match works too,
    // because Poor evaluates conditional requests against the ETag set here.
    if (req.headers.get('ETag') === STATIC_ETAG) return new NotModifiedResponse({ etag: STATIC_ETAG });
    const body =
      table([
        ['type', 'static'],
        ['value', 'none'],
        ['uri rule', req.uriRule],
      ]) + requestTable(req);
    return new Response(page('Simple.ts - Static test', body), { headers: { ETag: STATIC_ETAG } });
  }

  variable(req: Request, value: unknown): Response {
    if (req.headers.get('ETag') === STATIC_ETAG && !value) return new NotModifiedResponse({ etag: STATIC_ETAG });
    const body = table([
      ['type', typeof value],
      ['value', JSON.stringify(value)],
      ['uri rule', req.uriRule],
    ]);
    return new Response(page('Variable test', body), { headers: { ETag: STATIC_ETAG } });
  }

  @route('/test/<variable:uuid>')
  uuid(req: Request, variable: string): Response {
    return this.variable(req, variable);
  }

  @route('/test/<variable:int>')
  integer(req: Request, variable: number): Response {
    return this.variable(req, variable);
  }

  @route('/test/<variable:float>')
  float(req: Request, variable: number): Response {
    return this.variable(req, variable);
  }

  @route('/test/<variable:word>')
  word(req: Request, variable: string): Response {
    return this.variable(req, variable);
  }

  @route('/test/<variable:email>')
  email(req: Request, variable: string): Response {
    return this.variable(req, variable);
  }

  @route('/test/<variable0>/<variable1>/<variable2>')
  three(req: Request, ...variables: string[]): string {
    const rows: Array<[string, unknown]> = [
      ['len', variables.length],
      ['uri rule', req.uriRule],
    ];
    for (const [name, value] of Object.entries(req.params)) rows.push([name, value]);
    return page('Variable args test', table(rows));
  }

  @route('/test/<variable:re:.*>')
  regular(req: Request, variable: string): string {
    return page(
      'Variable args test',
      table([
        ['len', 1],
        ['uri rule', req.uriRule],
        ['variable', variable],
      ]),
    );
  }

  @route('/test/empty')
  empty(): NoContentResponse {
    return new NoContentResponse({ headers: { 'Super-Header': 'SuperValue' } });
  }

  @route('/test/partial/unicodes')
  unicodes(req: Request): Response {
    const letters = 'ěščřžýáíé';
    const random = (count: number): string =>
      Array.from({ length: count }, () => letters[Math.floor(Math.random() * letters.length)]).join('');
    // A custom range unit: the handler interprets it itself (Poor only handles bytes).
    const match = /^unicodes=(\d+)-(\d*)$/.exec(req.headers.get('Range') ?? '');
    if (!match) return new Response(random(200));
    const start = Number(match[1]);
    const end = match[2] ? Number(match[2]) : 199;
    if (end < start) throw new HTTPException(416, { headers: { 'Content-Range': 'unicodes */*' } });
    return new PartialResponse(random(end - start + 1)).makeRange([{ start, end }], 'unicodes');
  }

  @route('/test/partial/empty')
  partialEmpty(): Response {
    return new Response('').makePartial();
  }

  @route('/test/partial/generator')
  partialGenerator(): GeneratorResponse {
    function* lines(): Generator<string> {
      for (let index = 0; index < 10; index += 1) yield `line ${index}\n`;
    }
    return new GeneratorResponse(lines(), { length: 70 }).makePartial();
  }

  @route('/yield')
  *yieldLines(): Generator<string> {
    for (let index = 0; index < 10; index += 1) yield `line ${index}\n`;
  }

  @route('/yield', 'POST')
  async yieldPost(req: Request): Promise<NoContentResponse> {
    // The chunked body must be "0", "1", "2", … in order. Node does not expose the HTTP chunk
    // boundaries, so the concatenation is checked piece by piece.
    let text = '';
    for await (const chunk of req) text += (chunk as Buffer).toString('latin1');
    for (let index = 0, position = 0; position < text.length; index += 1) {
      const piece = String(index);
      if (!text.startsWith(piece, position)) throw new HTTPException(400, { error: `chunk ${index} is wrong` });
      position += piece.length;
    }
    return new NoContentResponse({ status: 200 });
  }

  @route('/test/form', ['GET', 'POST'])
  async form(req: Request): Promise<string> {
    const form = await req.readForm();
    const rows: Array<[string, unknown]> = [
      ['form_keys', form.keys().join(', ')],
      ['form_values', JSON.stringify(form.toJSON())],
      [
        'form_getfirst',
        `pname=${String(form.getFirst('pname', '') as string)}, px=${String(form.getFirst('px', '', Number))}`,
      ],
      ['form_getlist', `px=${JSON.stringify(form.getList('px', [], Number))}`],
      ['args_keys', req.args.keys().join(', ')],
      ['args_values', JSON.stringify(req.args.toJSON())],
      ['args_getfirst', `gname=${req.args.getFirst('gname', '')}, gx=${String(req.args.getFirst('gx', '', Number))}`],
      ['args_getlist', `gx=${JSON.stringify(req.args.getList('gx', [], Number))}`],
    ];
    return page('HTTP Form args test', FORMS + '<h2>Result</h2>' + table(rows) + requestTable(req));
  }

  @route('/test/upload', ['GET', 'POST'])
  async upload(req: Request): Promise<string> {
    const storage = new UploadStorage(join(process.cwd(), 'upload'));
    await req.readForm({ fileCallback: storage.writer });
    const parts: string[] = [];
    for (const file of storage.stored) {
      const data = await readFile(file.path);
      await rm(file.path, { force: true });
      const shown = file.type.startsWith('text/') ? escapeHtml(data.toString('utf8')) : data.toString('base64');
      parts.push(`<h2>${escapeHtml(file.filename)}</h2>\n<i>${escapeHtml(file.type)}</i>\n<pre>${shown}</pre>`);
    }
    const inputs = [0, 1, 2].map((index) => `<input type="file" name="file_${index}">`).join('<br>');
    const formHtml = `<form method="post" enctype="multipart/form-data">${inputs}<br><button>Upload</button></form>`;
    return page('HTTP file upload test', formHtml + parts.join('\n'));
  }

  @route('/chunked')
  async *chunked(): AsyncGenerator<string> {
    for (let index = 0; index < 5; index += 1) {
      yield `chunk ${index}\n`;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  @route('/simple')
  simple(): StreamResponse {
    return new StreamResponse(createReadStream(source), { length: statSync(source).size });
  }

  @route('/simple.ts')
  simpleTs(): FileResponse {
    return new FileResponse(source, { contentType: 'text/x-typescript; charset=utf-8' });
  }

  @route('/internal-server-error')
  internalServerError(): never {
    throw new Error('Some error: this is the debug page of an internal server error');
  }

  @route('/none')
  none(): null {
    return null;
  }

  @route('/bad-request')
  badRequest(): never {
    throw new MyValueError('Value Error');
  }

  @route('/forbidden')
  forbidden(): never {
    throw new HTTPException(403);
  }

  @route('/not-modified')
  notModified(): never {
    throw new HTTPException(new NotModifiedResponse({ etag: '"012"' }));
  }

  @route('/not-implemented')
  notImplemented(): never {
    throw new HTTPException(501);
  }

  @errorHandler(404, ['GET', 'HEAD', 'POST'])
  notFound(req: Request): Response {
    const body = `<p>Your request <code>${escapeHtml(req.path)}</code> was not found.</p><p><a href="/">Back to the index</a></p>`;
    return new Response(page('404 - Page Not Found', body), { status: 404 });
  }

  @errorHandler(ValueError)
  valueError(req: Request, error: ValueError): never {
    req.app.logger.warn(`Poor simple: ${error.message}`);
    throw new HTTPException(400);
  }
}

export const app = new Application('simple', {
  debug: true,
  // Like upstream: the working directory is served, with listings (@poor/static, loaded on demand).
  documentRoot: '.',
  documentIndex: true,
  autoForm: false,
  filters: { email: '[\\w.\\-]+@[\\w.\\-]+' },
  controllers: [Simple],
});

if (process.argv[1] === source) await serve(app);
