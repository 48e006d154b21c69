/** What a log line reads of a request. */
export interface LogSource {
  readonly id: string;
  readonly method: string;
  readonly raw: { readonly url?: string | undefined };
  readonly uriRule: string | undefined;
}

/** The request's fields in a structured log line (`req` in pino's terms). */
export function logFields(req: LogSource): {
  id: string;
  method: string;
  url: string | undefined;
  route: string | undefined;
} {
  return { id: req.id, method: req.method, url: req.raw.url, route: req.uriRule };
}
