// The opt-in access log (`accessLog: true`): one `info` line per request once its answer is
// sent or its connection closes, with pino-style fields (`req`, `res`, `responseTime`); the
// message starts with the time and the request id, for loggers that print only the message.
import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Request } from '../request/request.js';
import { logFields } from '../request/log-fields.js';

/** Writes one access line: `fields` beside the request's and the status, `tail` after the status in the message. */
function line(req: Request, time: string, status: number, tail: string, fields: Record<string, unknown>): void {
  req.app.logger.info(
    { req: { ...logFields(req), remoteAddress: req.ip }, res: { statusCode: status }, ...fields },
    `${time} ${req.id} ${req.method} ${req.raw.url} ${status} ${tail}`,
  );
}

/** Logs `req` when its response closes. */
export function logAccess(req: Request, res: ServerResponse): void {
  const start = performance.now();
  const arrived = new Date().toISOString();
  res.once('close', () => {
    const responseTime = Math.round((performance.now() - start) * 1000) / 1000;
    const aborted = !res.writableFinished;
    const tail = `${responseTime.toFixed(1)} ms${aborted ? ' (connection closed early)' : ''}`;
    line(req, arrived, res.statusCode, tail, { responseTime, ...(aborted ? { aborted } : {}) });
  });
}

/** Logs an upgrade handed to its protocol (its response is never written: the socket is the add-on's now). */
export function logUpgrade(req: Request, protocol: string): void {
  line(req, new Date().toISOString(), 101, protocol, { upgrade: protocol });
}
