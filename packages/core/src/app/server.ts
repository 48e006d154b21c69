import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { LINGER_BYTES, LINGER_MS } from '../response/linger.js';
import { PROBLEM_JSON } from '../response/response.js';

/** Options of `Application.listen`. */
export interface ListenOptions {
  /** Port (default 8080; 0 picks a free one). */
  port?: number;
  /** Host (default 127.0.0.1). */
  host?: string;
  /** Close gracefully on SIGINT and SIGTERM. */
  signals?: boolean;
  /** Milliseconds a client has to send a whole request (Node's `requestTimeout`, default 300 000); 408 after. */
  requestTimeout?: number;
  /** Milliseconds a client has to send the headers (Node's `headersTimeout`, default 60 000). */
  headersTimeout?: number;
  /** Milliseconds an idle keep-alive connection stays open (Node's default 5 000). */
  keepAliveTimeout?: number;
}

/** What the lifecycle needs from the application it serves. */
export interface Served {
  readonly name: string;
  readonly closeTimeout: number;
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** Node's `'upgrade'` / `'connect'` listener (a request whose socket is handed over). */
  readonly socketHandler: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  /** Does the application take any upgrade protocol (so `'upgrade'` should be listened to)? */
  readonly takesUpgrades: boolean;
  close(): Promise<void>;
}

/** The server side of an application: listen, attach, graceful close, pending clean-ups. */
export class Lifecycle {
  #server: Server | undefined;
  #attached = new WeakSet<Server>();
  #upgrading = new WeakSet<Server>();
  readonly #onListen: Array<(server: Server) => void> = [];
  readonly #onClose: Array<() => unknown> = [];
  /** Clean-ups still running (temporary upload removals); `close()` waits for them. */
  readonly #pending = new Set<Promise<void>>();

  /** The server started by `listen()`, if any. */
  get server(): Server | undefined {
    return this.#server;
  }

  /** Calls `callback` with the listening server (now, if there is one). */
  onListen(callback: (server: Server) => void): void {
    this.#onListen.push(callback);
    if (this.#server) callback(this.#server);
  }

  /** Awaits `callback` in `close()`. */
  onClose(callback: () => unknown): void {
    this.#onClose.push(callback);
  }

  /** Keeps track of a clean-up, so `close()` waits for it. */
  track(done: Promise<void>): void {
    this.#pending.add(done);
    void done.finally(() => this.#pending.delete(done));
  }

  /** Routes a server's upgrade and CONNECT requests through the application (once per server). */
  attach(app: Served, server: Server): void {
    if (!this.#attached.has(server)) {
      this.#attached.add(server);
      // Without a listener Node drops a CONNECT without an answer; with one, it is answered (501).
      server.on('connect', app.socketHandler);
    }
    // Only once a protocol is installed: until then Node serves `Upgrade:` requests as plain ones.
    if (app.takesUpgrades && !this.#upgrading.has(server)) {
      this.#upgrading.add(server);
      server.on('upgrade', app.socketHandler);
    }
  }

  async listen(app: Served, options: ListenOptions): Promise<AddressInfo> {
    if (this.#server) throw new Error(`application ${app.name} is already listening`);
    const server = createServer(
      {
        ...(options.requestTimeout !== undefined && {
          requestTimeout: options.requestTimeout,
          // Node checks the timeouts this often (30 s by default): keep it below the timeout.
          connectionsCheckingInterval: Math.max(50, Math.min(30_000, Math.floor(options.requestTimeout / 4))),
        }),
        ...(options.headersTimeout !== undefined && {
          headersTimeout: Math.min(options.headersTimeout, options.requestTimeout ?? Infinity),
        }),
        ...(options.keepAliveTimeout !== undefined && { keepAliveTimeout: options.keepAliveTimeout }),
      },
      app.handler,
    );
    // A client may half-close (send FIN) right after its request, as `nc -N` and some HTTP/1.0
    // clients do. Node's default drops such a request unless it is answered at once; with this
    // (long-standing, undocumented) server flag it answers, then ends the connection.
    (server as { httpAllowHalfOpen?: boolean }).httpAllowHalfOpen = true;
    server.on('clientError', answerClientError);
    if (options.requestTimeout !== undefined && options.headersTimeout === undefined) {
      server.headersTimeout = Math.min(server.headersTimeout, options.requestTimeout);
    }
    this.#server = server;
    this.attach(app, server);
    for (const callback of this.#onListen) callback(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 8080, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    if (options.signals) {
      const stop = (): void => {
        app.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    }
    return server.address() as AddressInfo;
  }

  async close(closeTimeout: number): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server) await acceptQueued(server, Math.min(1000, closeTimeout / 4));
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    server?.closeIdleConnections();
    for (const callback of this.#onClose) await callback();
    if (server) {
      // Connections that finish their last request become idle: keep closing them until done.
      const sweep = setInterval(() => server.closeIdleConnections(), 25);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          server.closeAllConnections();
          resolve();
        }, closeTimeout);
      });
      await Promise.race([closed, timeout]);
      clearInterval(sweep);
      clearTimeout(timer);
      await closed;
    }
    // A process that exits next keeps no temporary upload.
    while (this.#pending.size > 0) await Promise.all(this.#pending);
  }
}

/**
 * Connections the kernel has completed but Node has not accepted yet wait in the listen
 * queue, and closing the listener resets them (the client sees ECONNRESET on a request it
 * has sent). Node accepts one of them per turn of the event loop, so this turns the loop
 * until two turns in a row bring none, or `limit` milliseconds pass.
 */
async function acceptQueued(server: Server, limit: number): Promise<void> {
  let accepted = 0;
  const count = (): void => {
    accepted += 1;
  };
  server.on('connection', count);
  const end = performance.now() + limit;
  for (let quiet = 0, seen = 0; quiet < 2 && performance.now() < end;) {
    await new Promise((resolve) => setImmediate(resolve));
    quiet = accepted === seen ? quiet + 1 : 0;
    seen = accepted;
  }
  server.off('connection', count);
}

// What Node answers a request its parser refused (its own 'clientError' default).
const REFUSALS: Record<string, string> = {
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
  HPE_CHUNK_EXTENSIONS_OVERFLOW: '413 Payload Too Large',
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
};

/**
 * The parser refused the client's bytes: Node's default status (400, or 431/413/408), with a
 * problem details body and two differences from Node's answer. When the refusal comes in the same read as a request Poor has already
 * answered (a 400 for a Transfer-Encoding without chunked, a hook's 401), that answer is
 * still corked in this tick; it is flushed before the socket closes instead of being lost.
 * And the connection is closed lingering, as an early 413 is: a client still sending (a 1 MB
 * header) would otherwise get a reset that destroys the answer before it reads it.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  const net = socket as Socket & { _httpMessage?: ServerResponse | null };
  if (error.code === 'ECONNRESET' || !net.writable) {
    net.destroy();
    return;
  }
  const pending = net._httpMessage;
  if (pending?.headersSent) net.uncork();
  else {
    const status = REFUSALS[error.code ?? ''] ?? '400 Bad Request';
    // The request was never parsed (no Accept to read): problem details, which any client reads.
    const problem = `{"type":"about:blank","title":"${status.slice(4)}","status":${status.slice(0, 3)}}`;
    net.write(
      `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: ${PROBLEM_JSON}\r\n` +
        `Content-Length: ${problem.length}\r\n\r\n${problem}`,
    );
  }
  lingerThenClose(net);
}

/**
 * Sends FIN after the answer, then reads and discards what the client still sends (at most
 * LINGER_BYTES for LINGER_MS, as `endAfterBody` does for bodies) before closing, so the
 * kernel does not answer unread bytes with a reset.
 */
function lingerThenClose(socket: Socket): void {
  socket.removeAllListeners('data'); // the parser is done with this connection
  let seen = 0;
  const close = (): void => {
    clearTimeout(timer);
    socket.destroy();
  };
  const timer = setTimeout(close, LINGER_MS);
  socket.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > LINGER_BYTES) close();
  });
  socket.on('error', close);
  socket.once('end', close);
  socket.once('close', () => clearTimeout(timer));
  socket.end();
  socket.resume();
}
