import type { Application } from '../application.js';
import { HTTPException } from '../http-error.js';
import { decodeText, type Request } from '../request.js';

/** What automatic parsing does with a request's body. */
export type BodyKind = 'json' | 'form' | undefined;

/**
 * Should `autoJson` / `autoForm` parse the request's body before the handler, and how?
 * Cheap for body-less requests: one scan of the raw header list.
 */
export function bodyKind(app: Application, req: Request): BodyKind {
  if (!app.autoJson && !app.autoForm) return undefined;
  if (!hasBody(req.raw.rawHeaders)) return undefined;
  const mime = req.mimeType;
  if (app.autoJson && app.jsonMimeTypes.includes(mime)) return 'json';
  if (app.autoForm && app.formMimeTypes.includes(mime)) return 'form';
  return undefined;
}

/**
 * Scans the raw header list for a non-zero Content-Length or a Transfer-Encoding, without
 * making Node build its lazy `headers` object (a cost plain node:http does not pay).
 */
function hasBody(raw: readonly string[]): boolean {
  for (let index = 0; index < raw.length; index += 2) {
    const name = raw[index] as string;
    if (name.length === 14 && name.toLowerCase() === 'content-length') {
      if (raw[index + 1] !== '0') return true;
    } else if (name.length === 17 && name.toLowerCase() === 'transfer-encoding') {
      return true;
    }
  }
  return false;
}

/** Parses the body into `req.json` or `req.form`; malformed input is a 400, too much a 413. */
export function parseBody(req: Request, kind: 'json' | 'form'): Promise<unknown> {
  if (kind === 'form') return req.readForm();
  // One promise from the socket to the parsed value: this runs for every JSON request.
  return req.body().then((data) => {
    const text = decodeText(data, req.charset);
    try {
      // JSON.parse defines "__proto__" as an own key, so parsed data cannot pollute prototypes.
      req.json = JSON.parse(text) as unknown;
    } catch (error) {
      throw new HTTPException(400, { error: `invalid JSON body: ${(error as Error).message}` });
    }
  });
}
