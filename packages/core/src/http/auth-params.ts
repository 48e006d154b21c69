// The `Authorization` header grammar of RFC 9110 §11.6.2 / §5.6: a scheme, then either a
// token68 or a comma-separated list of auth-params whose values are tokens or quoted-strings
// (with backslash escapes). A parser, not a regular-expression split: a quote inside a value,
// an unterminated string or a repeated parameter is noticed, and reported.

/** A parsed `Authorization` header. */
export interface ParsedAuthorization {
  /** The scheme as sent (compare case-insensitively). */
  scheme: string;
  /** The token68 credential (Basic, Bearer), when the header carries one. */
  token68: string | undefined;
  /** auth-params by lower-case name (prototype-free). */
  params: Record<string, string>;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const TOKEN68 = /^[A-Za-z0-9._~+/-]+=*$/;

function isTokenChar(code: number): boolean {
  // tchar: ALPHA / DIGIT / "!#$%&'*+-.^_`|~"
  return (
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a) ||
    "!#$%&'*+-.^_`|~".includes(String.fromCharCode(code))
  );
}

/** Parses an `Authorization` value; a string says what is malformed. */
export function parseAuthorization(header: string): ParsedAuthorization | string {
  const text = header.trim();
  if (text === '') return 'empty Authorization header';
  const space = text.search(/[ \t]/);
  const scheme = space === -1 ? text : text.slice(0, space);
  if (!TOKEN.test(scheme)) return 'malformed authentication scheme';
  const rest = space === -1 ? '' : text.slice(space + 1).trim();
  const params = Object.create(null) as Record<string, string>;
  if (rest === '') return { scheme, token68: undefined, params };
  if (TOKEN68.test(rest) && !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+\s*=\s*[^=]/.test(rest)) {
    return { scheme, token68: rest, params };
  }
  let index = 0;
  const length = rest.length;
  const skipSpace = (): void => {
    while (index < length && (rest[index] === ' ' || rest[index] === '\t')) index += 1;
  };
  for (;;) {
    skipSpace();
    const nameStart = index;
    while (index < length && isTokenChar(rest.charCodeAt(index))) index += 1;
    if (index === nameStart) return 'malformed auth-param name';
    const name = rest.slice(nameStart, index).toLowerCase();
    skipSpace();
    if (rest[index] !== '=') return `auth-param ${name} has no value`;
    index += 1;
    skipSpace();
    let value: string;
    if (rest[index] === '"') {
      index += 1;
      let out = '';
      for (;;) {
        if (index >= length) return `unterminated quoted-string in ${name}`;
        const char = rest[index] as string;
        if (char === '\\') {
          if (index + 1 >= length) return `unterminated quoted-string in ${name}`;
          out += rest[index + 1];
          index += 2;
        } else if (char === '"') {
          index += 1;
          break;
        } else {
          const code = char.charCodeAt(0);
          if (code < 0x20 && code !== 0x09) return `control character in ${name}`;
          out += char;
          index += 1;
        }
      }
      value = out;
    } else {
      const valueStart = index;
      while (index < length && isTokenChar(rest.charCodeAt(index))) index += 1;
      if (index === valueStart) return `auth-param ${name} has no value`;
      value = rest.slice(valueStart, index);
    }
    if (name in params) return `auth-param ${name} is repeated`;
    params[name] = value;
    skipSpace();
    if (index >= length) break;
    if (rest[index] !== ',') return `malformed auth-param list after ${name}`;
    index += 1;
    skipSpace();
    if (index >= length) break; // a trailing comma is tolerated (empty list element, RFC 9110 §5.6.1)
  }
  return { scheme, token68: undefined, params };
}

/** RFC 8187 ext-value (`UTF-8''%C5%99`): the decoded text, or undefined when malformed. */
export function decodeExtValue(value: string): string | undefined {
  const match = /^([\w!#$%&+^`{}~-]+)'[\w-]*'(.*)$/.exec(value);
  if (!match || match[1]?.toLowerCase() !== 'utf-8') return undefined;
  try {
    return decodeURIComponent(match[2] ?? '');
  } catch {
    return undefined;
  }
}

/** Parsed `Authorization` header: `type` plus every `key=value` parameter. */
export type Authorization = Record<string, string> & { type?: string; token?: string };

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1).toLowerCase();
}

/**
 * The parsed `Authorization` header: `type` (capitalised scheme), every `key=value`
 * parameter (quotes removed, RFC 8187 `username*` decoded into `username`), and `token` for
 * schemes with a bare credential (Basic, Bearer). Empty when absent.
 */
export function toAuthorization(value: string | undefined): Authorization {
  const result = Object.create(null) as Authorization;
  const header = value?.trim();
  if (!header) return result;
  const parsed = parseAuthorization(header);
  if (typeof parsed === 'string') {
    // Malformed: only the scheme is reported (authentication hooks answer 400 themselves).
    const space = header.indexOf(' ');
    result.type = capitalize(space === -1 ? header : header.slice(0, space));
    return result;
  }
  result.type = capitalize(parsed.scheme);
  if (parsed.token68 !== undefined) result.token = parsed.token68;
  for (const [key, value] of Object.entries(parsed.params)) {
    if (!key.endsWith('*')) {
      if (!(key in result)) result[key] = value;
      continue;
    }
    const decoded = decodeExtValue(value);
    if (decoded !== undefined) result[key.slice(0, -1)] = decoded;
  }
  return result;
}
