import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmod, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The hash families of HTTP Digest: `md5` (32 hex digits) and `sha256` (64). */
export type DigestHash = 'md5' | 'sha256';

/** HA1 of RFC 7616 §3.4.2: the hex `H(username:realm:password)`, as htdigest files store it. */
export function hexdigest(username: string, realm: string, password: string, hash: DigestHash = 'md5'): string {
  return createHash(hash).update(`${username}:${realm}:${password}`, 'utf8').digest('hex');
}

/** The hash family of a stored HA1 (by its length), or undefined when it is neither. */
export function hashOf(ha1: string): DigestHash | undefined {
  if (/^[0-9a-f]{32}$/i.test(ha1)) return 'md5';
  if (/^[0-9a-f]{64}$/i.test(ha1)) return 'sha256';
  return undefined;
}

/**
 * Users and their HA1 by realm, loaded from and saved to an htdigest file (`user:realm:HA1`,
 * one per line, UTF-8; MD5 HA1s have 32 hex digits, SHA-256 ones 64 — a user may have one of
 * each, on two lines). Saving writes a temporary file with mode 0600 and renames it over the
 * old one: a reader never sees half a file, and a crash never leaves an empty one.
 *
 * @example
 * const users = PasswordMap.loadSync('examples/test.digest');
 * users.set('User Zone', 'foo', hexdigest('foo', 'User Zone', 'new password'));
 * await users.save();
 */
export class PasswordMap {
  /** The file it was loaded from and is saved to, if any. */
  readonly path: string | undefined;
  /** realm → user → hash family → HA1. */
  readonly #realms = new Map<string, Map<string, Map<DigestHash, string>>>();
  /** hashes() by realm: every unauthenticated request's 401 asks, so it is not a scan of all users each time. */
  readonly #families = new Map<string, Set<DigestHash>>();

  constructor(path?: string) {
    this.path = path;
  }

  /** Reads an htdigest file now (a missing file is an error). */
  static loadSync(path: string): PasswordMap {
    return new PasswordMap(path).#parse(readFileSync(path, 'utf8'));
  }

  /** Reads an htdigest file. */
  static async load(path: string): Promise<PasswordMap> {
    return new PasswordMap(path).#parse(await readFile(path, 'utf8'));
  }

  #parse(text: string): this {
    text.split(/\r?\n/).forEach((line, index) => {
      if (line.trim() === '' || line.startsWith('#')) return;
      const parts = line.split(':');
      const [user, realm, ha1] = parts;
      if (parts.length !== 3 || !user || !realm || !ha1 || hashOf(ha1) === undefined) {
        throw new TypeError(`${this.path ?? 'htdigest'}:${index + 1}: expected user:realm:HA1 (32 or 64 hex digits)`);
      }
      this.set(realm, user, ha1.toLowerCase());
    });
    return this;
  }

  /** Sets a user's HA1 in a realm, for the HA1's hash family (neither name may contain `:`). */
  set(realm: string, user: string, ha1: string): this {
    for (const [what, value] of [
      ['realm', realm],
      ['user name', user],
    ] as const) {
      if (value === '' || /[:\r\n]/.test(value)) throw new TypeError(`a ${what} may not be empty or contain ':'`);
    }
    const hash = hashOf(ha1);
    if (hash === undefined) throw new TypeError('an HA1 is 32 (MD5) or 64 (SHA-256) hex digits');
    let users = this.#realms.get(realm);
    if (!users) this.#realms.set(realm, (users = new Map()));
    let digests = users.get(user);
    if (!digests) users.set(user, (digests = new Map()));
    digests.set(hash, ha1.toLowerCase());
    this.#families.delete(realm);
    return this;
  }

  /** Makes `ha1` the user's only HA1 (a new password: an HA1 of the other family would keep the old one). */
  replace(realm: string, user: string, ha1: string): this {
    this.#realms.get(realm)?.get(user)?.clear(); // set() below forgets the realm's hashes()
    return this.set(realm, user, ha1);
  }

  /** A user's HA1 of one hash family (by default the MD5 one, else the SHA-256 one), or undefined. */
  find(realm: string, user: string, hash?: DigestHash): string | undefined {
    const digests = this.#realms.get(realm)?.get(user);
    if (!digests) return undefined;
    return hash ? digests.get(hash) : (digests.get('md5') ?? digests.get('sha256'));
  }

  /** Removes a user; returns whether it was there. */
  delete(realm: string, user: string): boolean {
    this.#families.delete(realm);
    return this.#realms.get(realm)?.delete(user) ?? false;
  }

  /** Does `password` match every HA1 stored for the user (constant-time comparisons)? */
  verify(realm: string, user: string, password: string): boolean {
    const digests = this.#realms.get(realm)?.get(user);
    if (!digests || digests.size === 0) return false;
    let valid = true;
    for (const [hash, stored] of digests) {
      valid = timingSafeEqual(Buffer.from(stored), Buffer.from(hexdigest(user, realm, password, hash))) && valid;
    }
    return valid;
  }

  /** The hash families that every user of a realm has an HA1 for (what its challenges may offer). */
  hashes(realm: string): ReadonlySet<DigestHash> {
    let families = this.#families.get(realm);
    if (!families) this.#families.set(realm, (families = this.#scanHashes(realm)));
    return families;
  }

  /**
   * What makes the map unusable for Digest, one line a realm: a realm whose users share no hash
   * family. A client picks one algorithm for a realm, not per user, so one of them could never
   * sign in (`Application.ready()` refuses such a map).
   */
  problems(): string[] {
    const found: string[] = [];
    for (const [realm, users] of this.#realms) {
      if (users.size === 0 || this.hashes(realm).size > 0) continue;
      const only = (hash: DigestHash): string =>
        [...users]
          .filter(([, digests]) => digests.size === 1 && digests.has(hash))
          .map(([user]) => user)
          .join(', ');
      found.push(
        `realm '${realm}': its users share no hash family (MD5 only: ${only('md5')}; SHA-256 only: ${only('sha256')}); ` +
          'give every user an HA1 of one family (poor-digest -c for MD5, -s for SHA-256), or of both',
      );
    }
    return found;
  }

  #scanHashes(realm: string): Set<DigestHash> {
    const users = [...(this.#realms.get(realm)?.values() ?? [])];
    const all = new Set<DigestHash>(['md5', 'sha256']);
    for (const hash of all) if (users.length === 0 || users.some((digests) => !digests.has(hash))) all.delete(hash);
    return all;
  }

  /** The file's text: realms, users and their HA1s in insertion order. */
  toString(): string {
    const lines: string[] = [];
    for (const [realm, users] of this.#realms) {
      for (const [user, digests] of users) for (const ha1 of digests.values()) lines.push(`${user}:${realm}:${ha1}`);
    }
    return lines.length ? `${lines.join('\n')}\n` : '';
  }

  /** Writes the map to `path` (default: where it was loaded from), atomically, mode 0600. */
  async save(path = this.path): Promise<void> {
    if (path === undefined) throw new TypeError('PasswordMap.save() needs a path');
    const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(this.toString(), 'utf8');
      await handle.sync();
    } catch (error) {
      await handle.close();
      await rm(temporary, { force: true });
      throw error;
    }
    await handle.close();
    await chmod(temporary, 0o600);
    await rename(temporary, path);
  }
}
