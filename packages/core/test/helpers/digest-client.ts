// A Digest client computed by hand from RFC 7616, for tests that sign in.
import { createHash } from 'node:crypto';
import type { DigestAlgorithm } from '../../src/index.js';

/** The auth-params of the first Digest challenge of a 401's `WWW-Authenticate`. */
export function challenge(header: string | string[] | undefined): Record<string, string> {
  const first = (Array.isArray(header) ? header[0] : header) ?? '';
  const params: Record<string, string> = {};
  for (const found of first.matchAll(/(\w+)=(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g)) {
    params[found[1] as string] = found[2] ?? (found[3] as string);
  }
  return params;
}

/** Who signs in, to what. */
export interface Credentials {
  user: string;
  password: string;
  uri: string;
  method?: string;
  nc?: string;
  algorithm?: DigestAlgorithm;
  realm?: string;
}

/** A client's Authorization header, computed by hand from RFC 7616 §3.4.1. */
export function authorize(params: Record<string, string>, credentials: Credentials): string {
  const algorithm = credentials.algorithm ?? (params.algorithm as DigestAlgorithm);
  const hash = algorithm.startsWith('SHA-256') ? 'sha256' : 'md5';
  const h = (text: string): string => createHash(hash).update(text, 'utf8').digest('hex');
  const realm = credentials.realm ?? (params.realm as string);
  const cnonce = 'c0ffee';
  const nc = credentials.nc ?? '00000001';
  let ha1 = h(`${credentials.user}:${realm}:${credentials.password}`);
  if (algorithm.endsWith('-sess')) ha1 = h(`${ha1}:${params.nonce as string}:${cnonce}`);
  const ha2 = h(`${credentials.method ?? 'GET'}:${credentials.uri}`);
  const response = h(`${ha1}:${params.nonce as string}:${nc}:${cnonce}:auth:${ha2}`);
  const name = /^[\x20-\x7e]*$/.test(credentials.user)
    ? `username="${credentials.user}"`
    : `username*=UTF-8''${encodeURIComponent(credentials.user)}`;
  return (
    `Digest ${name}, realm="${realm}", nonce="${params.nonce as string}", uri="${credentials.uri}", ` +
    `algorithm=${algorithm}, qop=auth, nc=${nc}, cnonce="${cnonce}", response="${response}", opaque="${params.opaque as string}"`
  );
}
