/** What a log line reads of a request. */
export interface LogSource {
  /** The request id. */
  readonly id: string;
  /** The method. */
  readonly method: string;
  /** The raw target. */
  readonly raw: { readonly url?: string | undefined };
  /** The route pattern, once routed. */
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
