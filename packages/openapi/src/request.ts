// Per request: the credentials, parameters and body of a request checked against its compiled
// operation. Everything found is collected in an ApiData object (`req.api`); what is wrong
// becomes one HTTPException (401, 400 or 415) whose default answer is the JSON error body.
import type { TLSSocket } from 'node:tls';
import {
  HTTPException,
  ProblemResponse,
  parseQuery,
  type Fields,
  type FormValue,
  type HeadersInit,
  type Request,
} from '@poor/core';
import type { ErrorObject } from 'ajv';
import type { Check, MediaRule, Operation, ParameterRule, SchemeRule } from './compile.js';
import type { Json } from './document.js';
import { coerce, deepObject, deserialize } from './values.js';

/** One problem with a request (or a response): where, which name, what is wrong. */
export interface ValidationIssue {
  /** `path`, `query`, `header`, `cookie`, `body` or `response`. */
  in: string;
  /** The parameter, header or cookie name; for a body, the JSON pointer inside it (`/items/0`). */
  name: string;
  /** What is wrong, in words. */
  message: string;
}

/** What validation found in a request: coerced parameters, the body and the security results. */
export interface ApiData {
  /** The operation's `operationId`, if it has one. */
  operationId: string | undefined;
  /** Path parameters by their names in the document, coerced to their types. */
  path: Json;
  /** Query parameters described by the document, coerced. */
  query: Json;
  /** Header parameters described by the document (by their names as written there), coerced. */
  headers: Json;
  /** Cookie parameters described by the document, coerced. */
  cookies: Json;
  /** The validated body (parsed JSON, form fields as an object, text), if there was one. */
  body: unknown;
  /** Security schemes that were satisfied, with their verifier's result (or the credential). */
  security: Json;
}

/** Checks a credential: a truthy result (kept in `api.security`) lets the request through. */
export type SecurityVerifier = (credential: string, req: Request, scopes: readonly string[]) => unknown;

/** Human words for Ajv's first error, with the detail its params carry. */
export function describe(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  let message = error.message ?? 'is invalid';
  if (error.keyword === 'additionalProperties') message += ` '${String(params.additionalProperty)}'`;
  else if (error.keyword === 'oneOf' || error.keyword === 'anyOf') {
    message = params.passingSchemas
      ? 'matches more than one of the allowed forms'
      : 'matches none of the allowed forms';
  } else if (error.keyword === 'enum' && Array.isArray(params.allowedValues)) {
    message += `: ${params.allowedValues.map((value) => JSON.stringify(value)).join(', ')}`;
  }
  return message;
}

/** Runs a validator; deeply nested input that overflows the stack is a validation failure too. */
function run(check: Check, value: unknown): string | undefined {
  try {
    const error = check(value);
    return error === undefined
      ? undefined
      : `${error.instancePath === '' ? '' : `${error.instancePath} `}${describe(error)}`;
  } catch (error) {
    if (error instanceof RangeError) return 'is nested too deeply';
    throw error;
  }
}

/**
 * The error answer: RFC 9457 problem details with the list of issues as the `errors` member,
 * as an HTTPException an `errorHandler(status)` of the app can reshape.
 */
export function failure(status: number, issues: ValidationIssue[], headers?: HeadersInit): HTTPException {
  const first = issues[0] as ValidationIssue;
  const where = first.in === 'body' ? `the body${first.name}` : `${first.in} '${first.name}'`;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  const error = `${where} ${first.message}${more}`;
  return new HTTPException(status, {
    error,
    errors: issues,
    headers,
    defaultResponse: new ProblemResponse(status, { detail: error, errors: issues }, { headers }),
  });
}

function credentialOf(req: Request, scheme: SchemeRule): string | undefined {
  switch (scheme.where) {
    case 'header': {
      const value = req.raw.headers[scheme.key];
      return typeof value === 'string' && value !== '' ? value : undefined;
    }
    case 'query':
      return req.args.getFirst(scheme.key) || undefined;
    case 'cookie':
      return req.cookies[scheme.key] || undefined;
    case 'tls': {
      const socket = req.raw.socket as Partial<TLSSocket>;
      return socket.authorized === true ? 'client certificate' : undefined;
    }
    default: {
      const header = req.raw.headers.authorization ?? '';
      const space = header.indexOf(' ');
      const type = (space === -1 ? header : header.slice(0, space)).toLowerCase();
      const credential = space === -1 ? '' : header.slice(space + 1).trim();
      return type === scheme.key && credential !== '' ? credential : undefined;
    }
  }
}

function missing(scheme: SchemeRule): ValidationIssue {
  if (scheme.where === 'authorization') {
    return {
      in: 'header',
      name: 'Authorization',
      message: `needs ${scheme.key} credentials (security scheme ${scheme.name})`,
    };
  }
  return { in: scheme.where, name: scheme.label, message: `is required (security scheme ${scheme.name})` };
}

const CHALLENGES: Record<string, string> = { basic: 'Basic realm="api", charset="UTF-8"', bearer: 'Bearer' };

function securityFailure(alternatives: NonNullable<Operation['security']>, issues: ValidationIssue[]): HTTPException {
  const challenges = new Set<string>();
  for (const schemes of alternatives) {
    for (const scheme of schemes) {
      const challenge = scheme.where === 'authorization' ? CHALLENGES[scheme.key] : undefined;
      if (challenge) challenges.add(challenge);
    }
  }
  const headers = challenges.size > 0 ? { 'WWW-Authenticate': [...challenges].join(', ') } : undefined;
  return failure(401, issues, headers);
}

/**
 * Security requirements: any one alternative whose schemes all have a credential (and whose
 * verifiers, if the add-on was given any, all accept it). Sync unless a verifier is async.
 */
export function checkSecurity(
  req: Request,
  op: Operation,
  verifiers: Readonly<Record<string, SecurityVerifier>>,
  api: ApiData,
): void | Promise<void> {
  const alternatives = op.security;
  if (alternatives === undefined) return;
  const issues: ValidationIssue[] = [];
  const present: Array<Array<[SchemeRule, string]>> = [];
  for (const schemes of alternatives) {
    const found: Array<[SchemeRule, string]> = [];
    for (const scheme of schemes) {
      const credential = credentialOf(req, scheme);
      if (credential === undefined) issues.push(missing(scheme));
      else found.push([scheme, credential]);
    }
    if (found.length === schemes.length) present.push(found);
  }
  if (present.length === 0) throw securityFailure(alternatives, issues);
  return verify(req, present, verifiers, api, alternatives);
}

function verify(
  req: Request,
  present: Array<Array<[SchemeRule, string]>>,
  verifiers: Readonly<Record<string, SecurityVerifier>>,
  api: ApiData,
  alternatives: NonNullable<Operation['security']>,
): void | Promise<void> {
  const results = present.map((found) =>
    found.map(([scheme, credential]) => {
      const verifier = verifiers[scheme.name];
      return verifier === undefined ? credential : verifier(credential, req, scheme.scopes);
    }),
  );
  const settle = (values: unknown[][]): void => {
    const index = values.findIndex((list) => list.every(Boolean));
    if (index === -1) {
      const names = present.flat().map(([scheme]) => scheme.name);
      const issue = { in: 'security', name: names.join(', '), message: 'credentials were not accepted' };
      throw securityFailure(alternatives, [issue]);
    }
    (present[index] as Array<[SchemeRule, string]>).forEach(([scheme], at) => {
      api.security[scheme.name] = (values[index] as unknown[])[at];
    });
  };
  if (results.some((list) => list.some((value) => value instanceof Promise))) {
    return Promise.all(results.map((list) => Promise.all(list))).then(settle);
  }
  settle(results);
}

/** The raw value of a parameter, before coercion; undefined when absent. */
function rawValue(req: Request, rule: ParameterRule, pathValues: Json, args: () => Fields<string>): unknown {
  switch (rule.location) {
    case 'path': {
      const value = pathValues[rule.name];
      return typeof value === 'string' ? deserialize(value, rule, rule.shape) : value;
    }
    case 'query': {
      const query = args();
      if (rule.json) return query.getFirst(rule.name);
      if (rule.style === 'deepObject') return deepObject(query, rule.name);
      const kind = rule.shape.types;
      if (rule.style === 'form' && rule.explode && kind.has('object') && !kind.has('array')) {
        // Exploded form objects: each property is its own query key.
        const result = Object.create(null) as Json;
        let any = false;
        for (const name of rule.shape.properties?.keys() ?? []) {
          if (query.has(name)) {
            result[name] = query.getFirst(name);
            any = true;
          }
        }
        return any ? result : undefined;
      }
      if (!query.has(rule.name)) return undefined;
      if (rule.allowEmpty && query.getFirst(rule.name) === '') return '';
      if (rule.style === 'form' && rule.explode && kind.has('array')) return query.getList(rule.name);
      return deserialize(query.getFirst(rule.name) as string, rule, rule.shape);
    }
    case 'header': {
      const text = req.raw.headers[rule.name.toLowerCase()];
      if (text === undefined) return undefined;
      const joined = Array.isArray(text) ? text.join(',') : text;
      return rule.json ? joined : deserialize(joined, rule, rule.shape);
    }
    default: {
      const text = req.cookies[rule.name];
      if (text === undefined) return undefined;
      return rule.json ? text : deserialize(text, rule, rule.shape);
    }
  }
}

/** Path, query, header and cookie parameters into `api`; problems into `issues`. */
export function readParameters(
  req: Request,
  op: Operation,
  pathValues: Json,
  api: ApiData,
  issues: ValidationIssue[],
): void {
  // The query as sent, empty values kept (`?status=` is a value, not an absence: OpenAPI 3.0
  // §4.7.12.1), whatever the app's autoArgs and keepBlankValues say.
  let query: Fields<string> | undefined;
  const args = (): Fields<string> => (query ??= parseQuery(req.query, { keepBlankValues: true }));
  for (const rule of op.parameters) {
    const raw = rawValue(req, rule, pathValues, args);
    const target =
      rule.location === 'header' ? api.headers : rule.location === 'cookie' ? api.cookies : api[rule.location];
    if (raw === undefined) {
      if (rule.required) issues.push({ in: rule.location, name: rule.name, message: 'is required' });
      else if (rule.defaultValue !== undefined) target[rule.name] = rule.defaultValue;
      continue;
    }
    if (raw === '' && rule.allowEmpty) {
      target[rule.name] = '';
      continue;
    }
    let value: unknown;
    if (rule.json) {
      try {
        value = JSON.parse(raw as string) as unknown;
      } catch {
        issues.push({ in: rule.location, name: rule.name, message: 'is not valid JSON' });
        continue;
      }
    } else {
      value = coerce(raw, rule.shape);
    }
    let problem = run(rule.check, value);
    // Text that looked like a number may have been meant as text (a string pattern of digits).
    if (problem !== undefined && value !== raw && run(rule.check, raw) === undefined) {
      value = raw;
      problem = undefined;
    }
    if (problem === undefined) target[rule.name] = value;
    else issues.push({ in: rule.location, name: rule.name, message: problem });
  }
}

/** The declared media type a content type falls under (exact, then `type/*`, then `*` + `/*`). */
export function mediaFor(media: readonly MediaRule[], mime: string): MediaRule | undefined {
  const slash = mime.indexOf('/');
  const wildcard = `${mime.slice(0, slash)}/*`;
  return (
    media.find((rule) => rule.range === mime) ??
    media.find((rule) => rule.range === wildcard) ??
    media.find((rule) => rule.range === '*/*')
  );
}

/** A parsed form as an object for validation: repeated keys as lists where the schema wants one. */
function formObject(form: Iterable<[string, FormValue[]]>, rule: MediaRule): { value: Json; checked: Json } {
  const value = Object.create(null) as Json;
  const checked = Object.create(null) as Json;
  for (const [key, values] of form) {
    const shape = rule.shape.properties?.get(key) ?? rule.shape.additional;
    const many = shape?.types.has('array') === true;
    const texts = values.map((item) => (typeof item === 'string' ? item : item.filename || 'file'));
    value[key] = many ? values : values[0];
    const text = many ? texts : texts[0];
    checked[key] = shape === undefined ? text : coerce(text, shape);
    if (values.every((item) => typeof item === 'string')) value[key] = checked[key];
  }
  return { value, checked };
}

/** Reads and validates the body by its declared media type: 415 for an undeclared one. */
export async function readBody(req: Request, op: Operation, api: ApiData, issues: ValidationIssue[]): Promise<void> {
  const spec = op.body;
  if (spec === undefined) return;
  if (!req.hasBody) {
    if (spec.required) issues.push({ in: 'body', name: '', message: 'is required' });
    return;
  }
  if (spec.media.length === 0) return;
  const mime = req.mimeType;
  const rule = mediaFor(spec.media, mime);
  if (rule === undefined) {
    const accepted = spec.media.map((media) => media.range).join(', ');
    throw failure(415, [
      { in: 'header', name: 'Content-Type', message: `'${mime || 'none'}' is not accepted; send ${accepted}` },
    ]);
  }
  const settings = req.app;
  let value: unknown;
  let checked: unknown;
  if (rule.kind === 'json') {
    if (settings.autoJson && settings.jsonMimeTypes.includes(mime)) {
      await req.parseBody();
      value = req.json;
    } else {
      const text = await req.text();
      try {
        value = req.json = JSON.parse(text) as unknown;
      } catch (error) {
        throw new HTTPException(400, { error: `invalid JSON body: ${(error as Error).message}` });
      }
    }
    checked = value;
  } else if (rule.kind === 'form') {
    if (settings.autoForm && settings.formMimeTypes.includes(mime)) await req.parseBody();
    else await req.readForm();
    ({ value, checked } = formObject(req.form, rule));
  } else if (rule.kind === 'text') {
    value = checked = await req.text();
  } else {
    return; // other media (octet streams …): the handler reads the stream itself
  }
  if (rule.check === undefined) {
    api.body = value;
    return;
  }
  const problem = run(rule.check, checked);
  if (problem === undefined) api.body = value;
  else issues.push(bodyIssue(problem));
}

function bodyIssue(problem: string): ValidationIssue {
  // `run` puts the instance path first (`/items/0 must be integer`): split it back out.
  if (problem.startsWith('/')) {
    const space = problem.indexOf(' ');
    return { in: 'body', name: problem.slice(0, space), message: problem.slice(space + 1) };
  }
  return { in: 'body', name: '', message: problem };
}

/** A new, empty ApiData for an operation. */
export function emptyApi(op: Operation): ApiData {
  const make = (): Json => Object.create(null) as Json;
  return {
    operationId: op.operationId,
    path: make(),
    query: make(),
    headers: make(),
    cookies: make(),
    body: undefined,
    security: make(),
  };
}
