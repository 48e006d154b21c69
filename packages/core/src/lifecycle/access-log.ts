// The opt-in access log (`accessLog: true`): one `info` line per request once its answer is
// sent or its connection closes, with pino-style fields (`req`, `res`, `responseTime`).
import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Request } from '../request/request.js';
import { logFields } from '../request/log-fields.js';

/** Logs `req` when its response closes. */
export function logAccess(req: Request, res: ServerResponse): void {
  const start = performance.now();
  res.once('close', () => {
    const responseTime = Math.round((performance.now() - start) * 1000) / 1000;
    const raw = req.raw;
    const status = res.statusCode;
    const aborted = !res.writableFinished;
    req.app.logger.info(
      {
        req: { ...logFields(req), remoteAddress: req.ip },
        res: { statusCode: status },
        responseTime,
        ...(aborted ? { aborted } : {}),
      },
      `${req.method} ${raw.url} ${status} ${responseTime.toFixed(1)} ms${aborted ? ' (connection closed early)' : ''}`,
    );
  });
}
