// What Digest authentication remembers between requests, and the algorithms it offers: the
// types of two settings, with the in-memory store that is their default.

/** The algorithms of RFC 7616 §3.2. */
export type DigestAlgorithm = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess';

/**
 * Remembers the nonce counts seen for each nonce, so a captured `Authorization` header cannot
 * be replayed. The in-memory default serves one process; a cluster plugs in a shared one.
 */
export interface NonceStore {
  /** Records `nc` for `nonce`; false when that count was already used (a replay). */
  use(nonce: string, nc: number): boolean | Promise<boolean>;
}

/** Counts a nonce may lag behind its highest one (browsers send parallel requests out of order). */
const WINDOW = 32;

/**
 * The default {@link NonceStore}: per nonce the highest `nc` and which of the 32 below it were
 * used, in a map bounded to `capacity` nonces (the least recently used goes first).
 */
export class MemoryNonceStore implements NonceStore {
  readonly #seen = new Map<string, { max: number; mask: number }>();
  readonly #capacity: number;

  constructor(capacity = 10_000) {
    this.#capacity = capacity;
  }

  use(nonce: string, nc: number): boolean {
    const entry = this.#seen.get(nonce);
    if (entry === undefined) {
      if (this.#seen.size >= this.#capacity) this.#seen.delete(this.#seen.keys().next().value as string);
      this.#seen.set(nonce, { max: nc, mask: 1 });
      return true;
    }
    this.#seen.delete(nonce); // re-inserted below: most recently used last
    this.#seen.set(nonce, entry);
    if (nc > entry.max) {
      const shift = nc - entry.max;
      entry.mask = shift >= WINDOW ? 1 : ((entry.mask << shift) | 1) >>> 0;
      entry.max = nc;
      return true;
    }
    const behind = entry.max - nc;
    if (behind >= WINDOW) return false;
    const bit = (1 << behind) >>> 0;
    if (entry.mask & bit) return false;
    entry.mask = (entry.mask | bit) >>> 0;
    return true;
  }
}
