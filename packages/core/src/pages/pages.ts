import { kTrustedAppend } from '../http/headers.js';
import type { HTTPExceptionExtra } from '../response/http-error.js';
import type { Request } from '../request/request.js';
import { Response } from '../response/response.js';
import { ProblemResponse, reasonPhrase, type ProblemDetails } from '../response/problem.js';

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: unknown): string {
  const value = String(text);
  // Most text has nothing to escape: one scan, no new string.
  return SPECIAL.test(value) ? value.replace(SPECIALS, (char) => `&#${char.charCodeAt(0)};`) : value;
}

const SPECIAL = /[&<>"']/;
const SPECIALS = /[&<>"']/g;

/** Does the client prefer JSON over HTML (by `Accept` quality; wildcards count for neither)? */
export function prefersJson(req: Request): boolean {
  const accept = req.raw.headers.accept;
  if (!accept || !accept.includes('json')) return false;
  let json = 0;
  let html = 0;
  for (const [value, quality] of req.accept) {
    const type = value.split(';')[0]?.trim().toLowerCase() ?? '';
    if (type === 'application/json' || /^application\/[\w.-]+\+json$/.test(type)) json = Math.max(json, quality);
    else if (type === 'text/html' || type === 'application/xhtml+xml') html = Math.max(html, quality);
  }
  return json > html;
}

/** Do built-in errors answer `req` with problem details (the app's `errorFormat`, else `Accept`)? */
export function answersProblem(req: Request): boolean {
  const format = req.app.errorFormat;
  return format === 'json' || (format !== 'html' && prefersJson(req));
}

const STYLE =
  'body{width:80%;margin:2em auto;font-family:system-ui,sans-serif;color:#222}' +
  'h1{color:#707070}pre{white-space:pre-wrap;background:#f4f4f4;padding:.5em}' +
  'table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}';

/** Renders a complete, valid HTML5 page (`title` is escaped, `body` is trusted HTML). */
export function htmlPage(title: string, body: string): string {
  const [head, tail] = pageFrame(title);
  return head + body + tail;
}

/** The page around its body: the head and heading, and the footer. */
function pageFrame(title: string): readonly [string, string] {
  const escaped = escapeHtml(title);
  return [
    `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n` +
      `<meta name="viewport" content="width=device-width, initial-scale=1">\n` +
      `<title>${escaped}</title>\n<style>${STYLE}</style>\n</head>\n<body>\n<h1>${escaped}</h1>\n`,
    `\n<hr>\n<footer><small>Poor</small></footer>\n</body>\n</html>\n`,
  ];
}

// The built-in pages' frames by status, made once (a scanner's 404s build only the message).
const FRAMES = new Map<number, readonly [string, string]>();

function statusFrame(status: number): readonly [string, string] {
  let frame = FRAMES.get(status);
  if (frame === undefined) {
    frame = pageFrame(`${status} - ${reasonPhrase(status)}`);
    if (status >= 100 && status <= 999) FRAMES.set(status, frame);
  }
  return frame;
}

function message(req: Request, status: number): string {
  const path = `<code>${escapeHtml(req.path)}</code>`;
  const method = `<code>${escapeHtml(req.method)}</code>`;
  switch (status) {
    case 400:
      return `<p>The request ${method} ${path} could not be understood.</p>`;
    case 401:
      return `<p>Authorization is required to access ${path}.</p>`;
    case 403:
      return `<p>You don't have permission to access ${path} on this server.</p>`;
    case 404:
      return `<p>Your request ${path} was not found.</p>`;
    case 405:
      return `<p>The method ${method} is not allowed for ${path}.</p>`;
    case 413:
      return `<p>The request body sent to ${path} is too large.</p>`;
    case 416:
      return `<p>The requested range of ${path} is not satisfiable.</p>`;
    case 500:
      return `<p>The server met an internal error while answering ${path}.</p>`;
    case 501:
      return `<p>The method ${method} is not implemented by this server.</p>`;
    default:
      return `<p>The request ${method} ${path} ended with status ${status}.</p>`;
  }
}

/** A message that may be shown to the client: strings given on purpose to `HTTPException`. */
function publicError(extra: HTTPExceptionExtra): string | undefined {
  return typeof extra.error === 'string' ? extra.error : undefined;
}

/** The debug part of a 500, made only when debug mode shows it: as HTML, or as problem members. */
export interface DebugDetail {
  /** Trusted HTML appended to the page. */
  html(): string;
  /** Extension members of the problem details. */
  members(): ProblemDetails;
}

/**
 * The built-in answer for a status: an HTML page (escaped, `X-Content-Type-Options: nosniff`),
 * or RFC 9457 problem details (`application/problem+json`) when the client prefers JSON or the
 * app's `errorFormat` is `json`. `debug` adds the detail of a 500 in debug mode.
 */
export function builtinPage(
  req: Request,
  status: number,
  extra: HTTPExceptionExtra = {},
  debug?: DebugDetail,
): Response {
  const error = publicError(extra);
  const options = { status, headers: extra.headers };
  let response: Response;
  if (answersProblem(req)) {
    const members: ProblemDetails = { detail: error, instance: req.path };
    response = new ProblemResponse(status, debug === undefined ? members : { ...members, ...debug.members() }, options);
  } else {
    const pre = error === undefined ? '' : `\n<pre>${escapeHtml(error)}</pre>`;
    const [head, tail] = statusFrame(status);
    response = new Response(head + message(req, status) + pre + (debug?.html() ?? '') + tail, options);
  }
  const headers = response.headers;
  if (extra.headers === undefined)
    headers[kTrustedAppend]('X-Content-Type-Options', 'x-content-type-options', 'nosniff');
  else headers.set('X-Content-Type-Options', 'nosniff');
  return response;
}
