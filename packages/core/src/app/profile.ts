import { mkdirSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Session } from 'node:inspector';
import { join } from 'node:path';

interface ProfileLogger {
  info(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

/** A file-name-safe label for a request: method plus path, `/` replaced by `_`. */
function label(raw: IncomingMessage): string {
  const path = (raw.url ?? '/').split('?')[0] ?? '/';
  return `${raw.method ?? 'GET'}${path.replace(/[^\w.-]/g, '_')}`.slice(0, 120);
}

/**
 * Per-request CPU profiles through `node:inspector`, written as `.cpuprofile` files
 * (open them in Chrome DevTools). The V8 profiler is process-wide: while one request is
 * being profiled, requests that start meanwhile run unprofiled.
 */
export class Profiler {
  #session: Session | undefined;
  #busy = false;

  constructor(
    readonly dir: string,
    readonly logger: ProfileLogger,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  /** Runs `handle` for a request, profiling it when the profiler is free. */
  wrap(raw: IncomingMessage, res: ServerResponse, handle: () => void): void {
    if (this.#busy) {
      handle();
      return;
    }
    this.#busy = true;
    const session = (this.#session ??= this.#connect());
    session.post('Profiler.start', () => {
      res.once('close', () => {
        session.post('Profiler.stop', (error, result) => {
          this.#busy = false;
          if (error) {
            this.logger.error({ err: error }, 'Poor: profiling failed');
            return;
          }
          const file = join(this.dir, `${label(raw)}.${Date.now() / 1000}.cpuprofile`);
          writeFileSync(file, JSON.stringify(result.profile));
          this.logger.info(`Poor: generated ${file}`);
        });
      });
      handle();
    });
  }

  #connect(): Session {
    // node:inspector loads with the first profiled request, not with every app.
    const { Session } = process.getBuiltinModule('node:inspector');
    const session = new Session();
    session.connect();
    session.post('Profiler.enable');
    return session;
  }
}
