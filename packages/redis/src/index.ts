// @poor/redis: what Poor keeps between requests, on a Redis server every process shares —
// HTTP Digest nonce counts and rate-limit windows. Each store runs one Lua script per request
// (one round trip, atomic on the server). The client is the user's: a connected node-redis
// client, passed in.
import { createHash } from 'node:crypto';
import type { NonceStore, RateLimitCount, RateLimitStore } from '@poor/core';
import type { BrokerMessage, Deliver, WebSocketBroker } from '@poor/ws';

/** What the stores need of a Redis client: node-redis's `sendCommand` (v5 and later). */
export interface RedisCommands {
  /** Sends one command; resolves with its reply. */
  sendCommand(args: Array<string | Buffer>): Promise<unknown>;
}

/** Options shared by the stores. */
export interface RedisStoreOptions {
  /** Prefix of every key the store writes (default `poor:`). */
  prefix?: string;
  /**
   * Milliseconds a command may take before the store fails it (default 1 000): with Redis
   * gone, a request gets its 503 (or its policy) instead of waiting for a reconnection.
   */
  timeout?: number;
}

/** A Lua script run by its SHA1, loaded on the first NOSCRIPT. */
class Script {
  readonly #source: string;
  readonly #sha: string;

  constructor(source: string) {
    this.#source = source;
    this.#sha = createHash('sha1').update(source).digest('hex');
  }

  async run(client: RedisCommands, keys: string[], args: string[]): Promise<unknown> {
    const tail = [String(keys.length), ...keys, ...args];
    try {
      return await client.sendCommand(['EVALSHA', this.#sha, ...tail]);
    } catch (error) {
      if (!String((error as Error).message).startsWith('NOSCRIPT')) throw error;
      return client.sendCommand(['EVAL', this.#source, ...tail]);
    }
  }
}

/** `promise`, or a rejection once `ms` have passed. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

// Per nonce: the highest count seen and a 32-bit mask of the 32 counts below it, as
// MemoryNonceStore keeps them. Arithmetic stays below 2^32, exact in Lua's doubles.
const NONCE = new Script(`
local nc = tonumber(ARGV[1])
local max = tonumber(redis.call('HGET', KEYS[1], 'max'))
local mask = 1
if max then
  mask = tonumber(redis.call('HGET', KEYS[1], 'mask'))
  if nc > max then
    local shift = nc - max
    if shift >= 32 then mask = 1 else mask = (mask % 2 ^ (32 - shift)) * 2 ^ shift + 1 end
    max = nc
  else
    local behind = max - nc
    if behind >= 32 then return 0 end
    local bit = 2 ^ behind
    if math.floor(mask / bit) % 2 == 1 then return 0 end
    mask = mask + bit
  end
else
  max = nc
end
redis.call('HSET', KEYS[1], 'max', max, 'mask', mask)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`);

/** Options of {@link RedisNonceStore}. */
export interface RedisNonceStoreOptions extends RedisStoreOptions {
  /** Seconds a nonce's counts are kept after its last use: the application's `authTimeout` (default 300). */
  ttl?: number;
}

/**
 * Digest nonce counts on Redis, for every process behind one site: a header replayed to
 * another worker or machine is refused as on the one that saw it. The same 32-count window
 * as `MemoryNonceStore`, one atomic script per request; keys expire `ttl` seconds after their
 * last use. `new Application(name, { nonceStore: new RedisNonceStore(client) })`.
 */
export class RedisNonceStore implements NonceStore {
  readonly #client: RedisCommands;
  readonly #prefix: string;
  readonly #ttl: string;
  readonly #timeout: number;

  constructor(client: RedisCommands, options: RedisNonceStoreOptions = {}) {
    this.#client = client;
    this.#prefix = `${options.prefix ?? 'poor:'}nonce:`;
    this.#ttl = String(Math.round((options.ttl ?? 300) * 1000));
    this.#timeout = options.timeout ?? 1000;
  }

  async use(nonce: string, nc: number): Promise<boolean> {
    const run = NONCE.run(this.#client, [this.#prefix + nonce], [String(nc), this.#ttl]);
    return Number(await within(run, this.#timeout, 'a nonce count')) === 1;
  }
}

// A fixed window per key: the first hit starts it (and its expiry), every hit counts.
const WINDOW = new Script(`
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if count == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`);

/**
 * Rate-limit windows on Redis, shared by every process: `rateLimit({ …, store: new
 * RedisRateLimitStore(client) })` counts a client's requests wherever they land.
 */
export class RedisRateLimitStore implements RateLimitStore {
  readonly #client: RedisCommands;
  readonly #prefix: string;
  readonly #timeout: number;

  constructor(client: RedisCommands, options: RedisStoreOptions = {}) {
    this.#client = client;
    this.#prefix = `${options.prefix ?? 'poor:'}rate:`;
    this.#timeout = options.timeout ?? 1000;
  }

  async hit(key: string, windowMs: number): Promise<RateLimitCount> {
    const run = WINDOW.run(this.#client, [this.#prefix + key], [String(windowMs)]);
    const [count, resetIn] = (await within(run, this.#timeout, 'a rate-limit count')) as [number, number];
    return { count: Number(count), resetIn: Number(resetIn) };
  }
}

/** What {@link RedisBroker} needs of its subscribing client: node-redis's `subscribe` in buffer mode. */
export interface RedisSubscriber {
  /** Subscribes `listener` to `channel`, messages as Buffers. */
  subscribe(
    channel: string,
    listener: (message: Buffer, channel: Buffer) => unknown,
    bufferMode: true,
  ): Promise<unknown>;
  /** Ends the subscription. */
  unsubscribe(channel: string): Promise<unknown>;
}

/** Options of {@link RedisBroker}. */
export interface RedisBrokerOptions extends RedisStoreOptions {
  /** Publishes (any connected client; commands fail fast with `disableOfflineQueue`). */
  publisher: RedisCommands;
  /** Receives: a client of its own, for subscribing only (`publisher.duplicate()`, connected). */
  subscriber: RedisSubscriber;
}

const TEXT = 0x74;
const BINARY = 0x62;

/** One frame on the channel: the type, the room's length and name, then the payload. */
function encode(room: string, message: BrokerMessage): Buffer {
  const name = Buffer.from(room);
  const head = Buffer.alloc(3);
  head[0] = message.binary ? BINARY : TEXT;
  head.writeUInt16BE(name.length, 1);
  return Buffer.concat([head, name, message.data]);
}

function decode(frame: Buffer): { room: string; message: BrokerMessage } | undefined {
  if (frame.length < 3 || (frame[0] !== TEXT && frame[0] !== BINARY)) return undefined;
  const length = frame.readUInt16BE(1);
  if (frame.length < 3 + length) return undefined;
  return {
    room: frame.subarray(3, 3 + length).toString(),
    message: { data: frame.subarray(3 + length), binary: frame[0] === BINARY },
  };
}

/**
 * Websocket rooms across processes, on Redis pub/sub: `websockets({ broker: new RedisBroker({
 * publisher, subscriber }) })`. A message published on any worker reaches each socket of the
 * room on every worker once (every worker, the publishing one included, delivers what the
 * channel brings), in the order one publisher sent them. While Redis is away, publishing stays
 * local (this worker's sockets only), with one warning an outage.
 */
export class RedisBroker implements WebSocketBroker {
  readonly #publisher: RedisCommands;
  readonly #subscriber: RedisSubscriber;
  readonly #channel: string;
  readonly #timeout: number;
  #deliver: Deliver | undefined;
  #warn: ((message: string, error?: unknown) => void) | undefined;
  #outage = false;

  constructor(options: RedisBrokerOptions) {
    this.#publisher = options.publisher;
    this.#subscriber = options.subscriber;
    this.#channel = `${options.prefix ?? 'poor:'}ws`;
    this.#timeout = options.timeout ?? 1000;
  }

  async subscribe(deliver: Deliver, warn: (message: string, error?: unknown) => void): Promise<void> {
    this.#deliver = deliver;
    this.#warn = warn;
    await this.#subscriber.subscribe(
      this.#channel,
      (frame) => {
        const decoded = decode(frame);
        if (decoded) deliver(decoded.room, decoded.message);
      },
      true,
    );
  }

  async publish(room: string, message: BrokerMessage): Promise<void> {
    try {
      await within(
        this.#publisher.sendCommand(['PUBLISH', this.#channel, encode(room, message)]),
        this.#timeout,
        'a publish',
      );
      this.#outage = false;
    } catch (error) {
      if (!this.#outage) {
        this.#outage = true;
        this.#warn?.(
          "Redis is unavailable: published messages reach this worker's sockets only until it is back",
          error,
        );
      }
      this.#deliver?.(room, message);
    }
  }

  async close(): Promise<void> {
    await this.#subscriber.unsubscribe(this.#channel).catch(() => undefined);
  }
}
