import { describe, expect, it, vi } from 'vitest';
import {
  Application,
  Headers,
  parseCookies,
  PoorSession,
  Response,
  serializeCookie,
  Session,
  SessionError,
} from '../src/index.js';
import { recordingLogger } from './helpers/transports.js';

function cookieValue(header: string): string {
  return header.slice(header.indexOf('=') + 1, header.indexOf(';'));
}

describe('parseCookies', () => {
  it('first occurrence wins, quotes removed, garbage skipped, prototype-free', () => {
    const cookies = parseCookies('a=1; a=2; b="quoted"; =x; ;; bad name=3; __proto__=p; c=');
    expect(Object.getPrototypeOf(cookies)).toBe(null);
    expect({ ...cookies }).toEqual({ a: '1', b: 'quoted', ['__proto__']: 'p', c: '' });
    expect(({} as Record<string, unknown>).p).toBeUndefined();
  });

  it('never throws on hostile input', () => {
    expect(() => parseCookies('%%%; \u0000=\u0001; ' + 'x'.repeat(100_000))).not.toThrow();
    expect(parseCookies(undefined)).toEqual({});
  });
});

describe('serializeCookie', () => {
  it('renders attributes', () => {
    const header = serializeCookie('SID', 'abc', {
      domain: 'example.org',
      path: '/app',
      expires: Date.UTC(2026, 10, 23, 22, 37, 50),
      maxAge: 100,
      httpOnly: true,
      secure: true,
      sameSite: 'Strict',
    });
    expect(header).toBe(
      'SID=abc; Domain=example.org; Path=/app; Expires=Mon, 23 Nov 2026 22:37:50 GMT; Max-Age=100; HttpOnly; Secure; SameSite=Strict',
    );
  });

  it('refuses injection through the name, the value or attributes', () => {
    expect(() => serializeCookie('a b', 'x')).toThrow(TypeError);
    expect(() => serializeCookie('a', 'x; Domain=evil')).toThrow(TypeError);
    expect(() => serializeCookie('a', 'x\r\nSet-Cookie: y=1')).toThrow(TypeError);
    expect(() => serializeCookie('a', 'x', { path: '/; Domain=evil' })).toThrow(TypeError);
    expect(() => serializeCookie('a', 'x', { domain: 'a\nb' })).toThrow(TypeError);
  });
});

describe('Session (plain cookie)', () => {
  it('loads, writes with HttpOnly and Path, and destroys', () => {
    const session = new Session({ sameSite: 'Lax' }).load({ SESSID: 'token' });
    expect(session.data).toBe('token');
    expect(session.write()).toBe('SESSID=token; Path=/; HttpOnly; SameSite=Lax');
    session.destroy();
    const destroyed = session.write();
    expect(destroyed).toMatch(/^SESSID=; Path=\/; Expires=[^;]+ GMT; HttpOnly; SameSite=Lax$/);
    const expires = Date.parse(/Expires=([^;]+)/.exec(destroyed)?.[1] ?? '');
    expect(expires).toBeLessThan(Date.now());
  });

  it('validates sameSite like upstream', () => {
    expect(() => new Session({ sameSite: 'lax' as never })).toThrow(/is not valid/);
    expect(() => new Session({ sameSite: 'None' })).toThrow(/requires secure=true/);
    expect(() => new Session({ sameSite: 'None', secure: true })).not.toThrow();
  });

  it('adds itself to headers or a response', () => {
    const response = new Response('x');
    const session = new Session({ sid: 'S', expires: 60, maxAge: 60, domain: 'example.org', secure: true });
    session.data = 'v';
    const [pair] = session.header(response);
    expect(pair?.[0]).toBe('Set-Cookie');
    expect(response.headers.getAll('set-cookie')).toEqual([pair?.[1]]);
    expect(pair?.[1]).toMatch(
      /^S=v; Domain=example\.org; Path=\/; Expires=[^;]+; Max-Age=60; HttpOnly; Secure; SameSite=Lax$/,
    );
    const headers = new Headers();
    session.header(headers);
    session.header(headers);
    expect(headers.getAll('Set-Cookie')).toHaveLength(2);
  });
});

const OLD = 'the old secret, thirty-two bytes long';
const NEW = 'the new secret, thirty-two bytes long';

describe('PoorSession (AES-256-GCM)', () => {
  const secret = 'a long and random application secret, 32+ bytes';

  it('round-trips a JSON object and hides its content', () => {
    const session = new PoorSession(secret);
    session.data = { user: 'alice', roles: ['admin'] };
    const value = cookieValue(session.write());
    expect(value).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(value).not.toContain('alice');
    expect(Buffer.from(value, 'base64url').toString('latin1')).not.toContain('alice');
    const loaded = new PoorSession(secret).load({ SESSID: value });
    expect(loaded.data).toEqual({ user: 'alice', roles: ['admin'] });
  });

  it('two writes give different cookies (fresh nonce)', () => {
    const session = new PoorSession(secret);
    session.data = { n: 1 };
    expect(cookieValue(session.write())).not.toBe(cookieValue(session.write()));
  });

  it('rejects tampering with any byte, truncation, garbage and foreign keys', () => {
    const session = new PoorSession(secret);
    session.data = { user: 'alice' };
    const value = cookieValue(session.write());
    const bytes = Buffer.from(value, 'base64url');
    for (let index = 0; index < bytes.length; index += 1) {
      const copy = Buffer.from(bytes);
      copy[index] = (copy[index] as number) ^ 0x01;
      expect(() => new PoorSession(secret).load({ SESSID: copy.toString('base64url') })).toThrow(SessionError);
    }
    for (const bad of [value.slice(0, -4), value.slice(0, 10), 'not base64!', 'A'.repeat(5000), 'AQ']) {
      expect(() => new PoorSession(secret).load({ SESSID: bad })).toThrow(SessionError);
    }
    expect(() => new PoorSession('another secret of at least 32 bytes!').load({ SESSID: value })).toThrow(SessionError);
  });

  it('binds the cookie to its name', () => {
    const session = new PoorSession(secret, { sid: 'A' });
    session.data = { x: 1 };
    const value = cookieValue(session.write());
    expect(() => new PoorSession(secret, { sid: 'B' }).load({ B: value })).toThrow(SessionError);
  });

  it('rotates keys: the first seals, every key opens', () => {
    const old = new PoorSession(OLD);
    old.data = { kept: true };
    const value = cookieValue(old.write());
    const rotated = new PoorSession([NEW, OLD]);
    expect(rotated.load({ SESSID: value }).data).toEqual({ kept: true });
    const resealed = cookieValue(rotated.write());
    expect(() => new PoorSession(OLD).load({ SESSID: resealed })).toThrow(SessionError);
    expect(new PoorSession(NEW).load({ SESSID: resealed }).data).toEqual({ kept: true });
  });

  it('refuses a short or missing secret with a clear message, and ignores a missing cookie', () => {
    expect(() => new PoorSession('')).toThrow(/at least 32 bytes/);
    expect(() => new PoorSession('x')).toThrow(/at least 32 bytes \(got 1\)/);
    expect(() => new PoorSession([])).toThrow(TypeError);
    // the documented `new PoorSession(req.secretKey)` without the option: a message naming it
    expect(() => new PoorSession(undefined)).toThrow(/Application option secretKey/);
    expect(new PoorSession(secret).load({}).data).toEqual({});
  });

  it('destroy() seals an empty object into an expired cookie', () => {
    const session = new PoorSession(secret);
    session.data = { user: 'alice' };
    session.destroy();
    const header = session.write();
    expect(new PoorSession(secret).load({ SESSID: cookieValue(header) }).data).toEqual({});
    expect(header).toMatch(/Expires=[^;]+ GMT/);
  });

  it('works through an application: login cookie, then the private page', async () => {
    const app = new Application('sessions', { secretKey: secret, logger: false });
    app.route('/login', (req) => {
      const session = new PoorSession(req.secretKey as string);
      session.data = { user: 'alice' };
      const response = new Response('logged in');
      session.header(response);
      return response;
    });
    app.route('/private', (req) => {
      const session = new PoorSession(req.secretKey as string).load(req.cookies);
      return session.data.user
        ? `Hello, ${String(session.data.user)}`
        : new Response('Login required', { status: 401 });
    });
    app.errorHandler(SessionError, () => new Response('Invalid session', { status: 401 }));
    const login = await app.inject('/login');
    const cookie = (login.headers['set-cookie'] as string[])[0]?.split(';')[0] as string;
    expect((await app.inject({ url: '/private', headers: { cookie } })).text()).toBe('Hello, alice');
    expect((await app.inject('/private')).status).toBe(401);
    const forged = await app.inject({
      url: '/private',
      headers: { cookie: 'SESSID=AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
    });
    expect(forged.text()).toBe('Invalid session');
  });
});

describe('PoorSession: expiry, rotation, size, defaults (issue 9)', () => {
  it('seals its issue time: a cookie older than maxAge (default 14 days) no longer opens', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const session = new PoorSession<{ user: string }>(NEW);
      session.data = { user: 'alice' };
      const value = cookieValue(session.write());
      vi.setSystemTime(Date.now() + 13 * 24 * 3600 * 1000);
      expect(new PoorSession<{ user: string }>(NEW).load({ SESSID: value }).data.user).toBe('alice');
      vi.setSystemTime(Date.now() + 2 * 24 * 3600 * 1000);
      expect(() => new PoorSession(NEW).load({ SESSID: value })).toThrow(/expired/);
      const short = new PoorSession(NEW, { maxAge: 60 });
      const fresh = cookieValue(short.write());
      vi.setSystemTime(Date.now() + 61_000);
      expect(() => new PoorSession(NEW, { maxAge: 60 }).load({ SESSID: fresh })).toThrow(SessionError);
    } finally {
      vi.useRealTimers();
    }
  });

  it('says when an older key opened it; writing it again seals with the first key', () => {
    const old = new PoorSession(OLD);
    old.data = { n: 1 };
    const opened = new PoorSession([NEW, OLD]).load({ SESSID: cookieValue(old.write()) });
    expect(opened.rotated).toBe(true);
    const resealed = cookieValue(opened.write());
    expect(new PoorSession(NEW).load({ SESSID: resealed }).rotated).toBe(false);
    expect(() => new PoorSession(OLD).load({ SESSID: resealed })).toThrow(SessionError);
  });

  it('refuses to write a Set-Cookie line over 4096 bytes (browsers drop it silently)', () => {
    const session = new PoorSession(NEW);
    session.data = { blob: 'x'.repeat(4000) };
    let error: unknown;
    try {
      session.write();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SessionError);
    expect((error as SessionError).status).toBe(500);
    expect((error as Error).message).toMatch(/would be \d+ bytes/);
  });

  it('defaults to HttpOnly; Path=/; SameSite=Lax, and Secure when loaded from an HTTPS request', () => {
    const plain = new PoorSession(NEW).load({ cookies: {}, scheme: 'http' }).write();
    expect(plain).toMatch(/; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(new PoorSession(NEW).load({ cookies: {}, scheme: 'https' }).write()).toMatch(
      /; HttpOnly; Secure; SameSite=Lax$/,
    );
    expect(new PoorSession(NEW, { secure: false }).load({ cookies: {}, scheme: 'https' }).write()).not.toContain(
      'Secure',
    );
  });

  it('a forged, tampered, truncated, renamed or foreign cookie without a handler is a 400, logged at debug only', async () => {
    const logger = recordingLogger();
    const app = new Application('forged', { secretKey: NEW, logger });
    app.route(
      '/private',
      (req) => `hi ${String(new PoorSession<{ user?: string }>(req.secretKey).load(req).data.user)}`,
    );
    const good = new PoorSession(NEW);
    good.data = { user: 'alice' };
    const value = cookieValue(good.write());
    expect((await app.inject({ url: '/private', headers: { cookie: `SESSID=${value}` } })).text()).toBe('hi alice');
    const foreign = new PoorSession(OLD);
    const renamed = new PoorSession(NEW, { sid: 'OTHER' });
    for (const cookie of [
      'SESSID=forged',
      `SESSID=${value.slice(0, -1)}${value.endsWith('A') ? 'B' : 'A'}`,
      `SESSID=${value.slice(0, 20)}`,
      `SESSID=${cookieValue(foreign.write())}`,
      `SESSID=${cookieValue(renamed.write())}`,
      `SESSID=${'A'.repeat(5000)}`,
    ]) {
      expect([cookie.slice(0, 30), (await app.inject({ url: '/private', headers: { cookie } })).status]).toEqual([
        cookie.slice(0, 30),
        400,
      ]);
    }
    expect(logger.lines.filter((line) => line.level !== 'debug')).toEqual([]);
  });
});
