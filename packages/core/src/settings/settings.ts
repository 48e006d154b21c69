import { tmpdir } from 'node:os';
import type { Writable } from 'node:stream';
import { MemoryNonceStore, type DigestAlgorithm, type NonceStore } from './nonce-store.js';
import { envTrust, trustTest, type TrustProxy } from '../http/trust.js';
import type { PasswordMap } from './password-map.js';

/**
 * A logger: pino (or any logger with its calling convention) or the console. Poor calls it as
 * pino does: `logger.error({ err, req }, 'message')` (structured fields first) or with one
 * string; the default console logger prints the message and then the error with its stack.
 */
export interface Logger {
  /** Server faults: crashes (with `err`), failed writes. */
  error(...args: unknown[]): void;
  /** Problems worth a look that are not faults. */
  warn(...args: unknown[]): void;
  /** The access log (`accessLog: true`). */
  info(...args: unknown[]): void;
  /** Client mistakes and routing details (404s, refused bodies); off by default. */
  debug?(...args: unknown[]): void;
}

/** How built-in errors are answered: see {@link SettingsOptions.errorFormat}. */
export type ErrorFormat = 'negotiate' | 'json' | 'html';

/** Request body limits in bytes (or counts). */
export interface Limits {
  /** Whole body read into memory (JSON, `req.body()`), default 1 MiB. */
  body: number;
  /** One uploaded file, default 200 MiB. */
  fileSize: number;
  /** Number of uploaded files, default 100. */
  files: number;
  /** Number of form fields, default 1000. */
  fields: number;
  /** Total size of form field values, default 20 MiB. */
  fieldsSize: number;
  /** Deepest nesting of arrays and objects in a JSON body, default 256 (400 beyond). */
  jsonDepth: number;
}

/** What a custom upload storage receives for each file. */
export interface UploadInfo {
  /** Form field name. */
  fieldName: string;
  /** File name sent by the client. */
  filename: string;
  /** MIME type sent by the client. */
  type: string;
}

/** Returns the `Writable` an uploaded file is streamed into (custom storage). */
export type FileCallback = (file: UploadInfo) => Writable;

/** The options every part of Poor reads (see {@link Settings}); each is also a typed property. */
export interface SettingsOptions {
  /** Debug pages (stack traces, `/debug-info`); never on by itself. */
  debug?: boolean | undefined;
  /** Secret for sessions and digest nonces. */
  secretKey?: string | undefined;
  /** Folder served by `@poor/static` (loaded on demand). */
  documentRoot?: string | undefined;
  /** Directory listings for `documentRoot`. */
  documentIndex?: boolean | undefined;
  /** Parse the query into `req.args` (default true). */
  autoArgs?: boolean | undefined;
  /** Parse form bodies before the handler (default true). */
  autoForm?: boolean | undefined;
  /** Parse JSON bodies before the handler (default true). */
  autoJson?: boolean | undefined;
  /** Parse the Cookie header into `req.cookies` (default true). */
  autoCookies?: boolean | undefined;
  /** Keep empty query/form values (default false). */
  keepBlankValues?: boolean | undefined;
  /** Malformed query/form pairs answer 400 (default false). */
  strictParsing?: boolean | undefined;
  /** MIME types parsed as forms. */
  formMimeTypes?: string[] | undefined;
  /** MIME types parsed as JSON. */
  jsonMimeTypes?: string[] | undefined;
  /** Body limits. */
  limits?: Partial<Limits> | undefined;
  /** Folder for uploaded files (default the OS temp dir). */
  uploadDir?: string | undefined;
  /** Custom storage for uploaded files. */
  fileCallback?: FileCallback | undefined;
  /** `X-Powered-By` value, or false for none (default `Poor`). */
  poweredBy?: string | false | undefined;
  /** Logger, or false to log nothing (default: the console without debug lines; `console` adds them). */
  logger?: Logger | false | undefined;
  /** One `info` line per request (method, URL, status, milliseconds); default false. */
  accessLog?: boolean | undefined;
  /**
   * The body of built-in error answers: `negotiate` (default) sends RFC 9457 problem details
   * (`application/problem+json`) to clients that prefer JSON and an HTML page otherwise; `json`
   * always sends problem details (an API), `html` always the page.
   */
  errorFormat?: ErrorFormat | undefined;
  /** Which proxies' `X-Forwarded-*` headers to believe (default false: none); see {@link TrustProxy}. */
  trustProxy?: TrustProxy | undefined;
  /** Milliseconds `close()` waits for in-flight requests (default 10 000). */
  closeTimeout?: number | undefined;
  /**
   * Milliseconds a handler has to start its answer; past them the client gets 503 with
   * `Connection: close`, the late answer is dropped and an error is logged (default 0: no limit).
   */
  responseTimeout?: number | undefined;
  /** Digest algorithm offered (default `MD5-sess`, as upstream; SHA-256 is offered too when the realm has SHA-256 users). */
  authAlgorithm?: DigestAlgorithm | undefined;
  /** Digest quality of protection: `auth` (default) or `''` for RFC 2069 clients (no replay protection then). */
  authQop?: 'auth' | '' | undefined;
  /** Seconds a Digest nonce stays valid (default 300); an older one answers 401 with `stale=true`. */
  authTimeout?: number | undefined;
  /** Users and HA1s by realm for Digest authentication. */
  authMap?: PasswordMap | undefined;
  /** Where Digest nonce counts are remembered (default in memory; share one in a cluster). */
  nonceStore?: NonceStore | undefined;
}

const NOOP = (): void => {};
const SILENT: Logger = { error: NOOP, warn: NOOP, info: NOOP, debug: NOOP };

/**
 * Would a debug line be written? False for the default logger and for a pino logger above
 * debug level, so per-request debug lines (404s) cost nothing to build when nobody reads them.
 */
export function debugEnabled(logger: Logger): boolean {
  const debug = logger.debug;
  if (debug === undefined || debug === NOOP) return false;
  const levels = logger as { isLevelEnabled?: (level: string) => boolean };
  return typeof levels.isLevelEnabled === 'function' ? levels.isLevelEnabled('debug') : true;
}

/** Prints a pino-style call `(fields, message)` on the console as the message, then the error. */
function toConsole(write: (...args: unknown[]) => void): (...args: unknown[]) => void {
  return (...args) => {
    const [fields, message] = args;
    if (args.length === 2 && typeof message === 'string' && fields !== null && typeof fields === 'object') {
      const { err } = fields as { err?: unknown };
      if (err === undefined) write(message);
      else write(message, err);
    } else {
      write(...args);
    }
  };
}

/** The console as a logger, with or without its debug lines (per-request noise such as 404s). */
function consoleLogger(debug: boolean): Logger {
  return {
    error: toConsole((...args) => console.error(...args)),
    warn: toConsole((...args) => console.warn(...args)),
    info: toConsole((...args) => console.info(...args)),
    debug: debug ? toConsole((...args) => console.debug(...args)) : NOOP,
  };
}

function envFlag(value: string | undefined): boolean | undefined {
  return value === undefined || value === '' ? undefined : value.toLowerCase() === 'on';
}

function errorFormatOf(value: string | undefined): ErrorFormat {
  const format = value?.toLowerCase() ?? '';
  if (format === '' || format === 'negotiate') return 'negotiate';
  if (format === 'json' || format === 'html') return format;
  throw new TypeError(`poor_ErrorFormat must be negotiate, json or html, not ${JSON.stringify(value)}`);
}

/** An environment variable, `undefined` when unset or empty. */
export function envText(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Options and environment, resolved once: code options win over `poor_*` variables, which win
 * over the defaults. `Request`, the body parsers and add-ons read these; `Application`
 * extends this class, so every option is a typed, settable property (`app.debug = true`).
 */
export class Settings {
  /** Debug pages on/off. */
  debug: boolean;
  /** Secret key for sessions and digest nonces. */
  secretKey: string | undefined;
  /** Static document root (served by `@poor/static`). */
  documentRoot: string | undefined;
  /** Directory listings on/off. */
  documentIndex: boolean;
  /** See {@link SettingsOptions.autoArgs}. */
  autoArgs: boolean;
  /** See {@link SettingsOptions.autoForm}. */
  autoForm: boolean;
  /** See {@link SettingsOptions.autoJson}. */
  autoJson: boolean;
  /** See {@link SettingsOptions.autoCookies}. */
  autoCookies: boolean;
  /** See {@link SettingsOptions.keepBlankValues}. */
  keepBlankValues: boolean;
  /** See {@link SettingsOptions.strictParsing}. */
  strictParsing: boolean;
  /** MIME types parsed as forms. */
  formMimeTypes: string[];
  /** MIME types parsed as JSON. */
  jsonMimeTypes: string[];
  /** Body limits. */
  limits: Limits;
  /** Folder for uploaded files. */
  uploadDir: string;
  /** Custom upload storage. */
  fileCallback: FileCallback | undefined;
  /** `X-Powered-By` value or false. */
  poweredBy: string | false;
  /** The logger in use. */
  logger: Logger;
  /** See {@link SettingsOptions.accessLog}. */
  accessLog: boolean;
  /** See {@link SettingsOptions.errorFormat}. */
  errorFormat: ErrorFormat;
  #trustProxy: TrustProxy = false;

  /** See {@link SettingsOptions.trustProxy}; checked when set (a bad address throws `TypeError` here, not in a request). */
  get trustProxy(): TrustProxy {
    return this.#trustProxy;
  }

  set trustProxy(value: TrustProxy) {
    trustTest(value);
    this.#trustProxy = value;
  }
  /** Milliseconds `close()` waits for in-flight requests. */
  closeTimeout: number;
  /** See {@link SettingsOptions.responseTimeout}. */
  responseTimeout: number;
  /** See {@link SettingsOptions.authAlgorithm}. */
  authAlgorithm: DigestAlgorithm;
  /** See {@link SettingsOptions.authQop}. */
  authQop: 'auth' | '';
  /** See {@link SettingsOptions.authTimeout}. */
  authTimeout: number;
  /** See {@link SettingsOptions.authMap}. */
  authMap: PasswordMap | undefined;
  /** See {@link SettingsOptions.nonceStore}. */
  nonceStore: NonceStore;

  constructor(options: SettingsOptions = {}) {
    const env = process.env;
    this.debug = options.debug ?? envFlag(env.poor_Debug) ?? false;
    this.secretKey = options.secretKey ?? envText(env.poor_SecretKey);
    this.documentRoot = options.documentRoot ?? envText(env.poor_DocumentRoot);
    this.documentIndex = options.documentIndex ?? envFlag(env.poor_DocumentIndex) ?? false;
    this.autoArgs = options.autoArgs ?? true;
    this.autoForm = options.autoForm ?? true;
    this.autoJson = options.autoJson ?? true;
    this.autoCookies = options.autoCookies ?? true;
    this.keepBlankValues = options.keepBlankValues ?? false;
    this.strictParsing = options.strictParsing ?? false;
    this.formMimeTypes = options.formMimeTypes ?? ['application/x-www-form-urlencoded', 'multipart/form-data'];
    this.jsonMimeTypes = options.jsonMimeTypes ?? ['application/json', 'application/merge-patch+json'];
    this.limits = {
      body: 1_048_576,
      fileSize: 200 * 2 ** 20,
      files: 100,
      fields: 1000,
      fieldsSize: 20 * 2 ** 20,
      jsonDepth: 256,
      ...options.limits,
    };
    this.uploadDir = options.uploadDir ?? tmpdir();
    this.fileCallback = options.fileCallback;
    this.poweredBy = options.poweredBy ?? 'Poor';
    const logger = options.logger;
    this.logger =
      logger === false
        ? SILENT
        : logger === undefined || logger === console
          ? consoleLogger(logger === console)
          : logger;
    this.accessLog = options.accessLog ?? envFlag(env.poor_AccessLog) ?? false;
    this.errorFormat = options.errorFormat ?? errorFormatOf(env.poor_ErrorFormat);
    this.trustProxy = options.trustProxy ?? envTrust(env.poor_TrustProxy) ?? false;
    this.closeTimeout = options.closeTimeout ?? 10_000;
    this.responseTimeout = options.responseTimeout ?? 0;
    this.authAlgorithm = options.authAlgorithm ?? 'MD5-sess';
    this.authQop = options.authQop ?? 'auth';
    this.authTimeout = options.authTimeout ?? 300;
    this.authMap = options.authMap;
    this.nonceStore = options.nonceStore ?? new MemoryNonceStore();
  }

  /** Every `app_*` environment variable, prefix removed and name lower-cased. */
  static getOptions(): Record<string, string> {
    const result = Object.create(null) as Record<string, string>;
    for (const [key, value] of Object.entries(process.env)) {
      if (key.slice(0, 4).toLowerCase() === 'app_' && value !== undefined)
        result[key.slice(4).toLowerCase()] = value.trim();
    }
    return result;
  }

  /** Same as the static {@link Settings.getOptions}. */
  getOptions(): Record<string, string> {
    return Settings.getOptions();
  }
}
