import { request, Server, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { Duplex } from 'node:stream';

/** A request for {@link Application.inject}. */
export interface InjectOptions {
  /** Method, default GET. */
  method?: string;
  /** Request target: path and query (`/user/7?x=1`). */
  url: string;
  /** Request headers. */
  headers?: Record<string, string | string[]>;
  /** Body: a string, bytes, or a value sent as JSON. */
  body?: string | Uint8Array | object;
  /** Remote address the application sees, default 127.0.0.1. */
  remoteAddress?: string;
}

/** The answer of {@link Application.inject}. */
export interface InjectResponse {
  /** Status code. */
  status: number;
  /** Response headers (lower-case names). */
  headers: IncomingHttpHeaders;
  /** Raw header list as received, `[name, value, …]`. */
  rawHeaders: string[];
  /** The body bytes. */
  body: Buffer;
  /** The body as UTF-8 text. */
  text(): string;
  /** The body parsed as JSON. */
  json<T = unknown>(): T;
}

/** One end of an in-memory connection; what is written to it is read from its peer. */
class MemorySocket extends Duplex {
  peer: MemorySocket | undefined;
  remoteAddress: string;
  remotePort = 40000;
  localAddress = '127.0.0.1';
  localPort = 80;
  remoteFamily = 'IPv4';
  encrypted = false;

  constructor(remoteAddress: string) {
    super({ allowHalfOpen: true }); // a side that ends its writing may still read, as TCP allows
    this.remoteAddress = remoteAddress;
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.peer?.push(chunk);
    callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.peer?.push(null);
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const peer = this.peer;
    this.peer = undefined;
    if (peer && !peer.destroyed) peer.destroy();
    callback(error);
  }

  setTimeout(): this {
    return this;
  }

  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }

  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }

  address(): { address: string; family: string; port: number } {
    return { address: this.localAddress, family: 'IPv4', port: this.localPort };
  }
}

/**
 * Sends one request through a Node request listener over an in-memory connection: Node's
 * own HTTP parser and writer run on both sides, so what a handler sees and sends is exactly
 * what a socket would carry, without opening a port.
 */
export function injectRequest(
  listener: (req: IncomingMessage, res: ServerResponse) => void,
  options: InjectOptions,
): Promise<InjectResponse> {
  const server = new Server(listener);
  // As listen() does (server.ts): a client that ends its side after the request still gets
  // the whole answer; without it a streamed body (a file) was cut when the in-memory client
  // ended, and the access log called it an abort.
  (server as { httpAllowHalfOpen?: boolean }).httpAllowHalfOpen = true;
  // The client side closes once it has read the answer; that must not close the server's
  // response before it has finished (a file's last write), which would look like an abort.
  let answered: ServerResponse | undefined;
  server.on('request', (_req: IncomingMessage, res: ServerResponse) => (answered = res));
  const serverSide = new MemorySocket(options.remoteAddress ?? '127.0.0.1');
  const clientSide = new MemorySocket('127.0.0.1');
  serverSide.peer = clientSide;
  clientSide.peer = serverSide;
  server.emit('connection', serverSide);

  const headers: Record<string, string | string[]> = { host: 'localhost', ...options.headers };
  let body: string | Uint8Array | undefined;
  if (options.body !== undefined) {
    if (typeof options.body === 'string' || options.body instanceof Uint8Array) body = options.body;
    else {
      body = JSON.stringify(options.body);
      if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type'))
        headers['content-type'] = 'application/json';
    }
  }
  return new Promise((resolve, reject) => {
    const client = request(
      {
        method: options.method ?? 'GET',
        path: options.url,
        headers,
        // No agent: Node then connects through createConnection, i.e. our in-memory socket.
        createConnection: () => clientSide,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const data = Buffer.concat(chunks);
          const close = (): void => void clientSide.destroy();
          if (answered === undefined || answered.writableFinished) close();
          else {
            answered.once('finish', close);
            answered.once('close', close);
          }
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            rawHeaders: res.rawHeaders,
            body: data,
            text: () => data.toString('utf8'),
            json: <T>() => JSON.parse(data.toString('utf8')) as T,
          });
        });
      },
    );
    client.on('error', reject);
    client.end(body);
  });
}
