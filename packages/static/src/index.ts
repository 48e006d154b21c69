// @poor/static: serves a folder ("document root") for GET and HEAD requests no route took.
// The checks run in a fixed order (SPEC §11): method, decode, NUL byte and backslash,
// dot segments, dotfiles, resolution under the root (symlinks included), directory → slash
// redirect → index file → listing → 403, file → FileResponse (validators, ranges, HEAD).
import { realpathSync, statSync, type Stats } from 'node:fs';
import { lstat, realpath, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  acceptedEncodings,
  contentTypeFor,
  FileResponse,
  HTTPException,
  NoContentResponse,
  RedirectResponse,
  type AddOn,
  type Request,
} from '@poor/core';
import { directoryListing, isInside } from './listing.js';

export { directoryListing, humanSize, type ListingOptions } from './listing.js';

/** Options of {@link documentRoot}. */
export interface StaticOptions {
  /** URL path the folder is served under, e.g. `/static` (default `/`: the whole site). */
  prefix?: string;
  /** HTML listings for directories without an index file (default false: 403). */
  index?: boolean;
  /** File names served for a directory, first found wins (default `['index.html']`). */
  indexFiles?: readonly string[];
  /** Paths with a segment starting with `.`: `'ignore'` (as if missing, the default), `'deny'` (403) or `'allow'`. */
  dotfiles?: 'ignore' | 'deny' | 'allow';
  /** `Cache-Control: max-age=<seconds>` on files (default: no Cache-Control). */
  maxAge?: number;
  /**
   * Adds `public` to Cache-Control, letting shared caches store files served to authenticated
   * requests too (RFC 9111 §3.5). Default false: only for files that are the same for everyone.
   */
  public?: boolean;
  /** Adds `immutable` to Cache-Control (for fingerprinted file names). */
  immutable?: boolean;
  /** Strong ETag on files (default true). */
  etag?: boolean;
  /** Last-Modified on files (default true). */
  lastModified?: boolean;
  /** Serve `name.br` / `name.gz` siblings to clients that accept them (default true). */
  precompressed?: boolean;
}

/** The methods a document root answers. */
const READ_ONLY = 'GET, HEAD, OPTIONS';

// Precompressed siblings: `file.br`, `file.gz`.
const SUFFIX = { br: '.br', gzip: '.gz' } as const;
const CODINGS = ['br', 'gzip'] as const;

function missing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG' || code === 'ELOOP';
}

function denied(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'EACCES' || code === 'EPERM';
}

/** Serves one document root; {@link documentRoot} installs it as a fallback. */
export class StaticFiles {
  /** The root folder, symlinks resolved. */
  readonly root: string;
  readonly #urlPrefix: string;
  readonly #options: StaticOptions;
  readonly #indexFiles: readonly string[];
  readonly #cacheControl: string | undefined;

  constructor(dir: string, options: StaticOptions = {}) {
    let root: string;
    try {
      root = realpathSync(resolve(dir));
    } catch (error) {
      throw new TypeError(`document root ${dir} does not exist`, { cause: error });
    }
    if (!statSync(root).isDirectory()) throw new TypeError(`document root ${dir} is not a directory`);
    this.root = root;
    const prefix = (options.prefix ?? '/').replace(/\/+$/, '');
    if (prefix !== '' && !/^\/[^/\\]/.test(prefix))
      throw new TypeError(`prefix ${options.prefix} must start with one /`);
    this.#urlPrefix = prefix;
    this.#options = options;
    this.#indexFiles = options.indexFiles ?? ['index.html'];
    if (options.maxAge !== undefined || options.immutable || options.public) {
      const seconds = Math.max(0, Math.floor(options.maxAge ?? 0));
      const visibility = options.public ? 'public, ' : '';
      this.#cacheControl = `${visibility}max-age=${seconds}${options.immutable ? ', immutable' : ''}`;
    }
  }

  /**
   * Answers `req` from the root (a promise), or `undefined` — synchronously — when the request
   * is not for this document root (prefix, ignored dotfile). Files are read-only: another
   * method on an existing file or folder is a 405 (OPTIONS a 204), both with `Allow`.
   */
  serve(req: Request): Promise<unknown> | undefined {
    let path = req.path;
    if (!path.startsWith('/')) return undefined; // `*` and the like
    const prefix = this.#urlPrefix;
    if (prefix) {
      if (!path.startsWith(prefix) || (path.length > prefix.length && path[prefix.length] !== '/')) return undefined;
      path = path.slice(prefix.length);
    }
    if (path.includes('\0')) throw new HTTPException(400, { error: 'NUL byte in the path' });
    if (path.includes('\\')) throw new HTTPException(400, { error: 'backslash in the path' });
    const segments = path.split('/');
    for (const segment of segments) {
      // Clients remove dot segments before sending (RFC 3986 §5.2.4): one that arrives is an attack.
      if (segment === '..') throw new HTTPException(400, { error: 'dot segment in the path' });
      if (segment.length > 1 && segment.startsWith('.')) {
        const policy = this.#options.dotfiles ?? 'ignore';
        if (policy === 'ignore') return undefined;
        if (policy === 'deny') throw new HTTPException(403);
      }
    }
    const method = req.method;
    if (method !== 'GET' && method !== 'HEAD') return this.#otherMethod(method, path);
    return this.#lookUp(req, path, segments);
  }

  async #otherMethod(method: string, path: string): Promise<unknown> {
    if ((await this.#resolve(join(this.root, path))) === undefined) return undefined;
    if (method === 'OPTIONS') return new NoContentResponse({ headers: { Allow: READ_ONLY } });
    throw new HTTPException(405, { headers: { Allow: READ_ONLY } });
  }

  async #lookUp(req: Request, path: string, segments: string[]): Promise<unknown> {
    const target = await this.#resolve(join(this.root, path));
    if (target === undefined) return undefined;
    const [real, info] = target;
    if (info.isDirectory()) return this.#directory(req, path, segments, real);
    if (info.isFile()) return this.#file(req, real, info);
    throw new HTTPException(403, { error: 'not a regular file' });
  }

  /** Resolves symlinks; a target outside the root is 403, a missing one `undefined`. */
  async #resolve(path: string): Promise<[string, Stats] | undefined> {
    try {
      const real = await realpath(path);
      if (!isInside(this.root, real)) {
        throw new HTTPException(403, { error: 'the path leads outside the document root' });
      }
      return [real, await stat(real)];
    } catch (error) {
      if (missing(error)) return undefined;
      if (denied(error)) throw new HTTPException(403);
      throw error;
    }
  }

  async #directory(req: Request, path: string, segments: string[], real: string): Promise<unknown> {
    if (!path.endsWith('/')) {
      // Rebuilt from the segments: `//host/dir` becomes `/host/dir/`, never a protocol-relative URL.
      const clean = segments.filter((segment) => segment !== '' && segment !== '.').map(encodeURIComponent);
      const query = req.query;
      const location = `${this.#urlPrefix}/${clean.join('/')}${clean.length ? '/' : ''}${query ? `?${query}` : ''}`;
      return new RedirectResponse(location, { permanent: true });
    }
    for (const name of this.#indexFiles) {
      const found = await this.#resolve(join(real, name));
      if (found?.[1].isFile()) return this.#file(req, found[0], found[1]);
    }
    if (!this.#options.index) throw new HTTPException(403, { error: 'directory listing is off' });
    return directoryListing(real, this.#urlPrefix + path, { root: this.root });
  }

  async #file(req: Request, path: string, stats: Stats): Promise<FileResponse> {
    const options = this.#options;
    const headers: Record<string, string> = {};
    if (this.#cacheControl) headers['Cache-Control'] = this.#cacheControl;
    const common = { etag: options.etag !== false, lastModified: options.lastModified !== false };
    if (options.precompressed !== false) {
      headers.Vary = 'Accept-Encoding';
      const accept = req.raw.headers['accept-encoding'];
      if (accept) {
        for (const coding of acceptedEncodings(accept, CODINGS)) {
          const suffix = SUFFIX[coding];
          const sibling = await lstat(path + suffix).catch(() => undefined);
          // lstat: a sibling that is a symlink is never followed.
          if (!sibling?.isFile()) continue;
          return new FileResponse(path + suffix, {
            ...common,
            stats: sibling,
            contentType: contentTypeFor(path),
            headers: { ...headers, 'Content-Encoding': coding },
          });
        }
      }
    }
    return new FileResponse(path, { ...common, stats, headers });
  }
}

/**
 * The add-on serving `dir` for GET/HEAD requests that no route matched (before the default
 * handler): `app.use(documentRoot('./public', { index: true }))`.
 */
export function documentRoot(dir: string, options: StaticOptions = {}): AddOn {
  const files = new StaticFiles(dir, options);
  return (app) => {
    app.addFallback((req) => files.serve(req));
  };
}
