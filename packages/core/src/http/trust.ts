// Which proxies are believed: the `trustProxy` option compiled into one test of an address
// and its hop (0 is the socket's peer, 1 the address that peer forwarded for, and so on),
// with the semantics Express and Fastify users know.
import { BlockList, isIP } from 'node:net';

/**
 * Which peers may tell Poor the client's address, scheme and host through `X-Forwarded-For`,
 * `X-Forwarded-Proto` and `X-Forwarded-Host`: `false` (none, the default), `true` (any),
 * a number of hops (also as a string of digits, as it comes from the environment), addresses
 * and CIDR ranges (a list or a comma-separated string; the names `loopback`, `linklocal` and
 * `uniquelocal` stand for their ranges), or a function.
 */
export type TrustProxy = boolean | number | string | readonly string[] | ((address: string, hop: number) => boolean);

/** Is the address at this hop a proxy Poor believes? */
export type TrustTest = (address: string, hop: number) => boolean;

const RANGES: Record<string, readonly string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/** `::ffff:10.0.0.1` (an IPv4 peer of a dual-stack socket) is `10.0.0.1`. */
export function plainAddress(address: string): string {
  return address.length > 7 && address.slice(0, 7).toLowerCase() === '::ffff:' && isIP(address.slice(7)) === 4
    ? address.slice(7)
    : address;
}

function blockList(entries: readonly string[]): TrustTest {
  const list = new BlockList();
  for (const raw of entries) {
    const entry = raw.trim();
    if (entry === '') continue;
    const named = RANGES[entry.toLowerCase()];
    if (named) {
      for (const range of named) addEntry(list, range);
    } else {
      addEntry(list, entry);
    }
  }
  return (address) => {
    const plain = plainAddress(address);
    const family = isIP(plain);
    return family !== 0 && list.check(plain, family === 4 ? 'ipv4' : 'ipv6');
  };
}

function addEntry(list: BlockList, entry: string): void {
  const slash = entry.indexOf('/');
  const address = plainAddress(slash < 0 ? entry : entry.slice(0, slash));
  const family = isIP(address);
  if (family === 0) throw new TypeError(`trustProxy: '${entry}' is not an IP address, a CIDR range or a range name`);
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (slash < 0) {
    list.addAddress(address, type);
    return;
  }
  const prefix = Number(entry.slice(slash + 1));
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) {
    throw new TypeError(`trustProxy: '${entry}' has a bad prefix length`);
  }
  list.addSubnet(address, prefix, type);
}

const NEVER: TrustTest = () => false;
const ALWAYS: TrustTest = () => true;
let compiledFor: TrustProxy | undefined;
let compiled: TrustTest = NEVER;

/** The option as a test (the last compiled one is kept: apps rarely change it). */
export function trustTest(option: TrustProxy | undefined): TrustTest {
  if (option === undefined || option === false) return NEVER;
  if (option === compiledFor) return compiled;
  let test: TrustTest;
  if (option === true) test = ALWAYS;
  else if (typeof option === 'function') {
    // A user's test that throws trusts nobody: a request (or its error log line) never fails on it.
    test = (address, hop) => {
      try {
        return option(address, hop) === true;
      } catch {
        return false;
      }
    };
  } else if (typeof option === 'number' || (typeof option === 'string' && /^\s*\d+\s*$/.test(option))) {
    const hops = Number(option);
    if (!Number.isInteger(hops) || hops < 0) throw new TypeError('trustProxy: a hop count is a whole number ≥ 0');
    test = (_address, hop) => hop < hops;
  } else test = blockList(typeof option === 'string' ? option.split(',') : option);
  compiledFor = option;
  compiled = test;
  return test;
}

/** The value of `trustProxy` from the environment: On/Off, a hop count, or addresses. */
export function envTrust(value: string | undefined): TrustProxy | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  const lower = text.toLowerCase();
  if (['on', 'true', 'yes'].includes(lower)) return true;
  if (['off', 'false', 'no'].includes(lower)) return false;
  if (/^\d+$/.test(text)) return Number(text);
  return text;
}

/**
 * The client's address: walking from the socket's peer towards the client through
 * `X-Forwarded-For`, the first address not trusted (or the furthest one when all are).
 */
export function clientAddress(
  peer: string | undefined,
  forwardedFor: string | undefined,
  test: TrustTest,
): string | undefined {
  if (peer === undefined || forwardedFor === undefined || test === NEVER || !test(peer, 0)) return peer;
  const hops = forwardedFor.split(',');
  let address = peer;
  for (let hop = 1; hop <= hops.length; hop += 1) {
    const next = (hops[hops.length - hop] as string).trim();
    if (next === '') break;
    address = next;
    if (!test(address, hop)) break;
  }
  return address;
}
