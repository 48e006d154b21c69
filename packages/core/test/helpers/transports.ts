import { request as httpRequest } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe } from 'vitest';
import { type Application, type InjectOptions } from '../../src/index.js';

/** A response as every transport reports it. */
export interface Reply {
  status: number;
  /** Header lookup by (case-insensitive) name; repeated headers joined with ", ". */
  header(name: string): string | undefined;
  /** Header names, lower-case. */
  headerNames(): string[];
  body: Buffer;
  text(): string;
  json<T = unknown>(): T;
}

/** Sends one request to an application. */
export type Send = (app: Application, request: InjectOptions | string) => Promise<Reply>;

function fromHeaders(status: number, headers: Record<string, string | string[] | undefined>, body: Buffer): Reply {
  return {
    status,
    header: (name) => {
      const value = headers[name.toLowerCase()];
      return Array.isArray(value) ? value.join(', ') : value;
    },
    headerNames: () => Object.keys(headers),
    body,
    text: () => body.toString('utf8'),
    json: <T>() => JSON.parse(body.toString('utf8')) as T,
  };
}

/** In-process transport: `app.inject()`. */
export const viaInject: Send = async (app, request) => {
  const reply = await app.inject(request);
  return fromHeaders(reply.status, reply.headers, reply.body);
};

const servers = new WeakMap<Application, Promise<AddressInfo>>();

/** Real-socket transport: the app listens on 127.0.0.1:0 (once) and node:http sends. */
export const viaSocket: Send = async (app, request) => {
  const options = typeof request === 'string' ? { url: request } : request;
  let address = servers.get(app);
  if (!address) {
    address = app.listen({ port: 0, host: '127.0.0.1' });
    servers.set(app, address);
  }
  const { port } = await address;
  let body: string | Uint8Array | undefined;
  const headers: Record<string, string | string[]> = { ...options.headers };
  if (options.body !== undefined) {
    if (typeof options.body === 'string' || options.body instanceof Uint8Array) body = options.body;
    else {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.url, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve(fromHeaders(res.statusCode ?? 0, res.headers, Buffer.concat(chunks))));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
};

/** Closes the server `viaSocket` started for an app (call in afterAll/afterEach). */
export async function closeServer(app: Application): Promise<void> {
  if (servers.has(app)) {
    servers.delete(app);
    await app.close();
  }
}

/** Runs the same suite once through `inject()` and once over a real socket. */
export function describeBoth(name: string, suite: (send: Send) => void): void {
  describe(`${name} (inject)`, () => suite(viaInject));
  describe(`${name} (socket)`, () => suite(viaSocket));
}

/** A log argument as text: an error with its stack, pino-style fields by their `err`. */
function show(arg: unknown): string {
  if (arg instanceof Error) return `${arg.message}\n${arg.stack ?? ''}`;
  if (arg !== null && typeof arg === 'object') {
    const { err } = arg as { err?: unknown };
    return err === undefined ? '' : show(err);
  }
  return String(arg);
}

/** A logger that records lines, for asserting on log output. */
export function recordingLogger(): {
  lines: Array<{ level: string; text: string }>;
  error(...a: unknown[]): void;
  warn(...a: unknown[]): void;
  info(...a: unknown[]): void;
  debug(...a: unknown[]): void;
} {
  const lines: Array<{ level: string; text: string }> = [];
  const record =
    (level: string) =>
    (...args: unknown[]) => {
      lines.push({
        level,
        // pino-style (fields, message): the message, then the error the fields carry.
        text: (args.length === 2 && typeof args[1] === 'string' ? [args[1], args[0]] : args)
          .map(show)
          .filter((part) => part !== '')
          .join(' '),
      });
    };
  return { lines, error: record('error'), warn: record('warn'), info: record('info'), debug: record('debug') };
}

/** Options of {@link rawExchange}. */
export interface RawOptions {
  /** Stop (and close the socket) as soon as what came back matches. */
  until?: RegExp;
  /** Give up after this many milliseconds and return what came so far (default 3000). */
  timeout?: number;
  /** End the client's side after sending, instead of keeping it open like real clients do. */
  halfClose?: boolean;
}

/**
 * Sends raw bytes on a new socket (nothing normalised) and returns everything that came back
 * until the server closed, `until` matched or the timeout passed. A reset by the server ends
 * the exchange like a close.
 */
export function rawExchange(port: number, data: string | Buffer, options: RawOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(received);
    };
    const timer = setTimeout(done, options.timeout ?? 3000);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (options.until?.test(received)) done();
    });
    socket.on('close', done);
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') return;
      clearTimeout(timer);
      reject(error);
    });
    if (options.halfClose) socket.end(data);
    else socket.write(data);
  });
}

/**
 * Per-test clean-up for suites that start servers and make folders: `listening(app)` starts
 * the app on a free port; every app is closed and every folder removed after each test.
 */
export function useCleanup(): { listening(app: Application): Promise<number>; tempDir(): string } {
  const apps: Application[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return {
    async listening(app) {
      apps.push(app);
      return (await app.listen({ port: 0 })).port;
    },
    tempDir() {
      const dir = mkdtempSync(join(tmpdir(), 'poor-test-'));
      dirs.push(dir);
      return dir;
    },
  };
}

/**
 * Waits until `ready()` holds, checking every 5 ms, for at most 10 s; then fails with what
 * `seen()` reports. For tests that wait on a state rather than an event they can listen to.
 */
export async function until(ready: () => boolean, seen: () => unknown): Promise<void> {
  for (const start = Date.now(); !ready();) {
    if (Date.now() - start > 10_000) throw new Error(`gave up waiting: ${JSON.stringify(seen())}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
