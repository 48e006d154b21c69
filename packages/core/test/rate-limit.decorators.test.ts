// rateLimit(): a guard counting requests per key and fixed window, refusing with 429, Retry-After
// and the RateLimit/RateLimit-Policy fields of the IETF draft; app-wide, per route, and as a
// decorator on a controller or a method (both decorator modes). The clock is the store's own.
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import {
  Application,
  controller,
  MemoryRateLimitStore,
  rateLimit,
  rateLimited,
  route,
  type Request,
} from '../src/index.js';
import { closeServer, describeBoth, recordingLogger } from './helpers/transports.js';

/** A store on a clock the test moves. */
function clockedStore(): { store: MemoryRateLimitStore; advance(seconds: number): void } {
  let now = Date.parse('2026-12-04T12:00:00Z');
  return { store: new MemoryRateLimitStore({ now: () => now }), advance: (seconds) => (now += seconds * 1000) };
}

describeBoth('rateLimit()', (send) => {
  const clock = clockedStore();
  let stored = 0;
  const app = new Application('limited', {
    logger: false,
    trustProxy: 'loopback',
    fileCallback: () =>
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          stored += chunk.length;
          done();
        },
      }),
  });
  const logins = rateLimit({ limit: 3, window: 60, name: 'login', store: clock.store });
  app.route('/login', () => 'welcome', { methods: 'POST', before: [logins] });
  const byUser = rateLimit({
    limit: 2,
    window: 10,
    name: 'user',
    store: clock.store,
    key: (req) => req.headers.get('x-user'),
  });
  app.route('/by-user', () => 'ok', { before: [byUser] });
  app.route('/free', () => 'free');
  afterAll(() => closeServer(app));

  const login = (from: string) =>
    send(app, { url: '/login', method: 'POST', headers: { 'x-forwarded-for': from }, body: 'x' });

  it('lets the limit through, then answers 429 with Retry-After and the draft fields, until the window ends', async () => {
    for (let attempt = 0; attempt < 3; attempt += 1) expect((await login('203.0.113.1')).status).toBe(200);
    clock.advance(15);
    const refused = await login('203.0.113.1');
    expect(refused.status).toBe(429);
    expect(refused.header('retry-after')).toBe('45');
    expect(refused.header('ratelimit-policy')).toBe('"login";q=3;w=60');
    expect(refused.header('ratelimit')).toBe('"login";r=0;t=45');
    // Another client (its address through trustProxy) has its own count; other routes none.
    expect((await login('203.0.113.2')).status).toBe(200);
    expect((await send(app, '/free')).status).toBe(200);
    clock.advance(45);
    expect((await login('203.0.113.1')).status).toBe(200);
  });

  it('refuses before the body is read: an upload over the limit stores nothing', async () => {
    for (let attempt = 0; attempt < 3; attempt += 1) await login('198.51.100.7');
    const before = stored;
    const body = `--B\r\nContent-Disposition: form-data; name="f"; filename="a.bin"\r\n\r\n${'a'.repeat(100_000)}\r\n--B--\r\n`;
    const reply = await send(app, {
      url: '/login',
      method: 'POST',
      headers: { 'x-forwarded-for': '198.51.100.7', 'content-type': 'multipart/form-data; boundary=B' },
      body,
    });
    expect(reply.status).toBe(429);
    expect(stored).toBe(before);
  });

  it('counts by a key of the request, and leaves requests without one uncounted', async () => {
    const as = (user?: string) => send(app, { url: '/by-user', headers: user ? { 'x-user': user } : {} });
    expect([(await as('ann')).status, (await as('ann')).status, (await as('ann')).status]).toEqual([200, 200, 429]);
    expect((await as('bob')).status).toBe(200);
    for (let attempt = 0; attempt < 5; attempt += 1) expect((await as()).status).toBe(200);
  });
});

describe('rateLimited on a controller and on a method', () => {
  it('guards every route of a controller, or one method', async () => {
    const clock = clockedStore();
    const options = { limit: 1, window: 60, store: clock.store };

    @rateLimited({ ...options, name: 'admin' })
    @controller('/admin')
    class Admin {
      @route('/a')
      a(): string {
        return 'a';
      }
      @route('/b')
      b(): string {
        return 'b';
      }
    }

    class Pages {
      @rateLimited({ ...options, name: 'search' })
      @route('/search')
      search(req: Request): string {
        return `search ${req.path}`;
      }
      @route('/home')
      home(): string {
        return 'home';
      }
    }

    const app = new Application('decorated', { logger: false, controllers: [Admin, Pages] });
    const status = async (url: string): Promise<number> => (await app.inject(url)).status;
    expect([await status('/admin/a'), await status('/admin/b')]).toEqual([200, 429]);
    expect([await status('/search'), await status('/search')]).toEqual([200, 429]);
    expect([await status('/home'), await status('/home')]).toEqual([200, 200]);
  });

  it('refuses a limit or window that is not a whole number above 0', () => {
    expect(() => rateLimit({ limit: 0, window: 60 })).toThrow(TypeError);
    expect(() => rateLimit({ limit: 5, window: 0.5 })).toThrow(TypeError);
  });
});

describe('a rate limit store that fails', () => {
  it("lets requests through by default, or answers 503 with onStoreError 'refuse'; one warning an outage", async () => {
    let down = true;
    const store = {
      hit: async (): Promise<{ count: number; resetIn: number }> => {
        if (down) throw new Error('connection refused');
        return { count: 1, resetIn: 1000 };
      },
    };
    const log = recordingLogger();
    const app = new Application('outage', { logger: log });
    app.route('/open', () => 'open', { before: [rateLimit({ limit: 1, window: 60, name: 'open', store })] });
    app.route('/closed', () => 'closed', {
      before: [rateLimit({ limit: 1, window: 60, name: 'closed', store, onStoreError: 'refuse' })],
    });
    expect([(await app.inject('/open')).status, (await app.inject('/open')).status]).toEqual([200, 200]);
    const refused = await app.inject('/closed');
    expect([refused.status, refused.headers['retry-after']]).toEqual([503, '5']);
    expect((await app.inject('/closed')).status).toBe(503);
    expect(log.lines.filter((line) => line.level !== 'debug').map((line) => line.level)).toEqual(['warn', 'warn']); // one per limiter
    down = false;
    expect([(await app.inject('/open')).status, (await app.inject('/closed')).status]).toEqual([200, 200]);
  });
});

describe('MemoryRateLimitStore', () => {
  it('stays within its capacity, dropping ended windows first, then the oldest', () => {
    let now = 0;
    const store = new MemoryRateLimitStore({ capacity: 2, now: () => now });
    store.hit('a', 1000);
    now = 500;
    store.hit('b', 1000);
    now = 1200; // a's window has ended, b's has not
    store.hit('c', 1000);
    expect(store.hit('b', 1000)).toEqual({ count: 2, resetIn: 300 });
    store.hit('d', 1000); // full of live windows: the oldest (b) goes
    expect(store.hit('b', 1000).count).toBe(1);
  });
});
