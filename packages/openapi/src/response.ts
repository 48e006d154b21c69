// Response validation (opt-in): the status, the content type and in-memory JSON and text
// bodies of a validated request's response, against its operation's `responses`.
import type { Request, Response } from '@poor/core';
import type { Operation } from './compile.js';
import { describe, mediaFor } from './request.js';

/** What is wrong with a response: the JSON pointer of the part it breaks and the words. */
export interface ResponseProblem {
  in: string;
  message: string;
}

/** Checks one in-memory response; undefined when it matches (or nothing is declared). */
export function checkResponse(req: Request, response: Response, op: Operation): ResponseProblem | undefined {
  if (op.responses.size === 0) return undefined;
  const status = response.status;
  const declared =
    op.responses.get(String(status)) ??
    op.responses.get(`${Math.floor(status / 100)}XX`) ??
    op.responses.get('default');
  if (declared === undefined) {
    return { in: `${op.pointer}/responses`, message: `status ${status} is not declared` };
  }
  if (declared.media.length === 0 || status === 204 || status === 304 || req.method === 'HEAD') return undefined;
  const data = response.data;
  const mime = response.contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  if (mime === '') {
    return data.length === 0 ? undefined : { in: declared.pointer, message: 'a body without a Content-Type' };
  }
  const media = mediaFor(declared.media, mime);
  if (media === undefined) {
    const allowed = declared.media.map((rule) => rule.range).join(', ');
    return { in: declared.pointer, message: `content type ${mime} is not declared (${allowed})` };
  }
  if (media.check === undefined) return undefined;
  let value: unknown = data.toString('utf8');
  if (media.kind === 'json') {
    try {
      value = JSON.parse(value as string) as unknown;
    } catch {
      return { in: declared.pointer, message: 'the body is not valid JSON' };
    }
  } else if (media.kind !== 'text') {
    return undefined;
  }
  const error = media.check(value);
  if (error === undefined) return undefined;
  const at = error.instancePath === '' ? 'the body' : `the body at ${error.instancePath}`;
  return {
    in: `${declared.pointer}/content/${media.range.replace('/', '~1')}/schema`,
    message: `${at} ${describe(error)}`,
  };
}
