import type { Application } from '../application.js';
import { HTTPException } from '../http-error.js';
import type { Request } from '../request.js';

/**
 * Does the request carry a body that `autoJson` / `autoForm` should parse before the handler?
 * Cheap for body-less requests: two header lookups.
 */
export function wantsBodyParsing(app: Application, req: Request): boolean {
  if (!app.autoJson && !app.autoForm) return false;
  if (!hasBody(req.raw.rawHeaders)) return false;
  const mime = req.mimeType;
  return (app.autoJson && app.jsonMimeTypes.includes(mime)) || (app.autoForm && app.formMimeTypes.includes(mime));
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
export async function parseBody(app: Application, req: Request): Promise<void> {
  if (app.autoJson && app.jsonMimeTypes.includes(req.mimeType)) {
    const text = await req.text();
    try {
      // JSON.parse defines "__proto__" as an own key, so parsed data cannot pollute prototypes.
      req.json = JSON.parse(text) as unknown;
    } catch (error) {
      throw new HTTPException(400, { error: `invalid JSON body: ${(error as Error).message}` });
    }
    return;
  }
  await req.readForm();
}
