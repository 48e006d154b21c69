import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe } from 'vitest';
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
        text: args.map((arg) => (arg instanceof Error ? `${arg.message}\n${arg.stack ?? ''}` : String(arg))).join(' '),
      });
    };
  return { lines, error: record('error'), warn: record('warn'), info: record('info'), debug: record('debug') };
}
