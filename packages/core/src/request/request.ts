import type { Readable } from 'node:stream';
import { kParse, kReadJson, kSessions } from '../http/symbols.js';
import { bodyKind, decodeText, parseJson, readBody, readBodyThen, type BodyKind } from './body-parse.js';
import { Fields } from './fields.js';
import { readForm, type FormOptions, type FormValue } from './form.js';
import { RequestHead } from './request-head.js';
import type { RequestSession } from './session-types.js';

/**
 * The types of a request's free slots (`user`, `api`, `db`), for declaration merging; a slot
 * not named here is `unknown`.
 *
 * @example
 * declare module '@poor/core' {
 *   interface RequestDecorations { user: Account; db: Pool }
 * }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface RequestDecorations {}

/** A slot's type: what {@link RequestDecorations} says, else `unknown`. */
export type Decoration<K extends string> = K extends keyof RequestDecorations ? RequestDecorations[K] : unknown;

const EMPTY_FORM = new Fields<FormValue>();
const NO_PARAMS = Object.freeze(Object.create(null) as Record<string, unknown>);

/**
 * One HTTP request: what {@link RequestHead} parses of it, the route it took and its body.
 * Nothing is parsed before it is asked for.
 */
export class Request<Params extends Record<string, unknown> = Record<string, unknown>>
  extends RequestHead
  implements AsyncIterable<Buffer>
{
  /** Route parameters, converted, by name (prototype-free). */
  params: Params = NO_PARAMS as Params;
  /** The route pattern that matched (`/user/<id:int>`), `/*` for fallbacks and default handlers. */
  uriRule: string | undefined;
  /** The handler chosen for the request. */
  uriHandler: ((...args: never[]) => unknown) | undefined;
  /** The error handler used, if any. */
  errorHandler: ((...args: never[]) => unknown) | undefined;
  /** Free slot: the authenticated user (set by digest/basic auth); typed by {@link RequestDecorations}. */
  user!: Decoration<'user'>;
  /** Free slot for API helpers (e.g. OpenAPI); typed by {@link RequestDecorations}. */
  api!: Decoration<'api'>;
  /** Free slot for a database handle; typed by {@link RequestDecorations}. */
  db!: Decoration<'db'>;
  /**
   * The parsed JSON body (any JSON value) when `autoJson` applied to the request's MIME type;
   * `undefined` otherwise.
   */
  json: unknown;
  /**
   * Form fields (text values and {@link UploadedFile}s) parsed before the handler when
   * `autoForm` applied, or by {@link Request.readForm}; empty otherwise.
   */
  form: Fields<FormValue> = EMPTY_FORM;

  #body: Promise<Buffer> | undefined;
  // The body's bytes when kReadJson read them (the promise of body() is made only if asked).
  #bodyData: Buffer | undefined;
  #parsed: Promise<unknown> | undefined;

  /**
   * The cookie session of the `sessions()` add-on: opened on first use (the cookie is read
   * then), written back with the answer when changed. A `TypeError` without the add-on.
   */
  get session(): RequestSession {
    const open = this.app[kSessions];
    if (open === undefined) throw new TypeError('req.session needs the sessions() add-on: app.use(sessions())');
    return open(this);
  }

  /** The raw body as a Node `Readable` (the request itself). */
  get stream(): Readable {
    return this.raw;
  }

  /** Iterates the raw body chunks. */
  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    return this.raw[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  /** Reads the whole body into memory, bounded by `limit` (default `limits.body`; 413 beyond). */
  body(limit = this.app.limits.body): Promise<Buffer> {
    return (this.#body ??= this.#bodyData === undefined ? readBody(this.raw, limit) : Promise.resolve(this.#bodyData));
  }

  /** Reads the whole body as text in its charset (400 for an unknown charset or bad bytes). */
  text(limit?: number): Promise<string> {
    return this.body(limit).then((data) => decodeText(data, this.charset));
  }

  /**
   * Parses a form body now (urlencoded or multipart) and stores it in `req.form`: use it when
   * `autoForm` is off or a route needs its own upload storage (`fileCallback`, `uploadDir`,
   * `limits`). Malformed bodies are a 400, limits a 413.
   */
  async readForm(options?: FormOptions): Promise<Fields<FormValue>> {
    if (this.form !== EMPTY_FORM) return this.form;
    this.form = await readForm(this, options);
    return this.form;
  }

  /**
   * Parses the body now, as Poor does after the before hooks (`autoJson` → `req.json`,
   * `autoForm` → `req.form`), once: a hook that needs the body (a CSRF field) awaits this,
   * and the handler then finds the same values without a second read.
   */
  parseBody(): Promise<void> {
    return this[kParse](bodyKind(this.app, this));
  }

  /** @internal Parses the body for a kind the pipeline already knows, once. */
  [kParse](kind: BodyKind): Promise<void> {
    this.#parsed ??=
      kind === undefined
        ? PARSED
        : kind === 'form'
          ? this.readForm()
          : new Promise<void>((resolve, reject) =>
              this[kReadJson]((error) => (error === undefined ? resolve() : reject(error))),
            );
    return this.#parsed as Promise<void>;
  }

  /**
   * @internal Reads the body within `limits.body` and parses it into `req.json`, then calls
   * `done` with nothing or the error (413, 400). kParse('json') wraps it in a promise.
   */
  [kReadJson](done: (error?: unknown) => void): void {
    readBodyThen(this.raw, this.app.limits.body, (error, data) => {
      if (data === undefined) return done(error);
      this.#bodyData = data;
      try {
        this.json = parseJson(data, this.charset, this.app.limits.jsonDepth);
      } catch (failure) {
        return done(failure);
      }
      this.#parsed ??= PARSED;
      done();
    });
  }
}

/** What kParse answers once the body is parsed, or for a kind with nothing to parse. */
const PARSED: Promise<void> = Promise.resolve();
