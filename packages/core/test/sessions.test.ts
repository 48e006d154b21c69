// Issue 27, item 5: sessions as users expect. `req.session` from the sessions() add-on, opened
// lazily, written back when changed (handlers return plain objects), cleared on log-out; a
// forged, stale or expired cookie is an empty session whose cookie is cleared, never a 400.
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { Application, PoorSession, SessionKeys, sessions, type ApplicationOptions } from '../src/index.js';
import { closeServer, describeBoth, recordingLogger, type Reply, type Send } from './helpers/transports.js';

const SECRET = 'k'.repeat(32);
const OTHER_SECRET = 'o'.repeat(32);

function sessionApp(options: ApplicationOptions = {}, addOn = sessions()): Application {
  const app = new Application('sessions', { secretKey: SECRET, logger: false, addOns: [addOn], ...options });
  app.route('/visit', (req) => {
    const data = req.session.data as { visits?: number };
    data.visits = (data.visits ?? 0) + 1;
    return { visits: data.visits };
  });
  app.route(
    '/login',
    (req) => {
      req.session.data.user = String(req.form.getFirst('user', ''));
      return { user: req.session.data.user };
    },
    'POST',
  );
  app.route('/me', (req) => ({ user: req.session.data.user ?? null }));
  app.route(
    '/logout',
    (req) => {
      req.session.destroy();
      return { out: true };
    },
    'POST',
  );
  app.route('/plain', () => 'no session here');
  return app;
}

/** The `SESSID=…` pair of a reply's Set-Cookie, for the next request's Cookie header. */
function cookieOf(reply: Reply): string {
  const line = reply.header('set-cookie');
  if (line === undefined) throw new Error(`no Set-Cookie in the ${reply.status} answer: ${reply.text()}`);
  return line.split(';')[0] as string;
}

/** Is the reply's Set-Cookie an expired (cleared) cookie? */
function clears(reply: Reply): boolean {
  const line = reply.header('set-cookie') ?? '';
  const expires = /Expires=([^;]+)/i.exec(line)?.[1];
  return line.startsWith('SESSID=') && expires !== undefined && Date.parse(expires) < Date.now();
}

/** The first Set-Cookie line of an inject() answer (Node gives a list). */
function firstCookieLine(header: string | string[] | undefined): string {
  return [header ?? []].flat()[0] ?? '';
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describeBoth('the sessions() add-on', (send: Send) => {
  const app = sessionApp();
  const rolling = sessionApp({}, sessions({ rolling: true }));
  afterAll(async () => {
    await closeServer(app);
    await closeServer(rolling);
  });

  it('keeps data between requests: a handler changes req.session.data and returns a plain object', async () => {
    const first = await send(app, '/visit');
    expect(first.json()).toEqual({ visits: 1 });
    expect(first.header('set-cookie')).toMatch(/^SESSID=[\w-]+; Path=\/; HttpOnly; SameSite=Lax$/);
    const second = await send(app, { url: '/visit', headers: { cookie: cookieOf(first) } });
    expect(second.json()).toEqual({ visits: 2 });
    const third = await send(app, { url: '/visit', headers: { cookie: cookieOf(second) } });
    expect(third.json()).toEqual({ visits: 3 });
  });

  it('writes the cookie only when the data changed; a request that never reads it pays nothing', async () => {
    const login = await send(app, { url: '/login', method: 'POST', headers: FORM, body: 'user=ann' });
    const cookie = cookieOf(login);
    const me = await send(app, { url: '/me', headers: { cookie } });
    expect(me.json()).toEqual({ user: 'ann' });
    expect(me.header('set-cookie')).toBeUndefined();
    const plain = await send(app, { url: '/plain', headers: { cookie } });
    expect([plain.text(), plain.header('set-cookie')]).toEqual(['no session here', undefined]);
    const fresh = await send(app, '/me');
    expect([fresh.json(), fresh.header('set-cookie')]).toEqual([{ user: null }, undefined]);
  });

  it('log-out clears the session and expires the cookie', async () => {
    const cookie = cookieOf(await send(app, { url: '/login', method: 'POST', headers: FORM, body: 'user=bob' }));
    const out = await send(app, { url: '/logout', method: 'POST', headers: { cookie } });
    expect(out.json()).toEqual({ out: true });
    expect(clears(out)).toBe(true);
    const after = await send(app, { url: '/me', headers: { cookie: cookieOf(out) } });
    expect(after.json()).toEqual({ user: null });
  });

  it('a forged cookie is an empty session and the cookie is cleared: no 400, every time', async () => {
    for (const forged of ['SESSID=garbage', 'SESSID=AgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA']) {
      const reply = await send(app, { url: '/me', headers: { cookie: forged } });
      expect([reply.status, reply.json()]).toEqual([200, { user: null }]);
      expect(clears(reply)).toBe(true);
    }
  });

  it("a cookie sealed with another app's key is cleared; a log-in over it writes the new session", async () => {
    const foreign = new PoorSession(OTHER_SECRET);
    foreign.data = { user: 'mallory' };
    const cookie = `SESSID=${foreign.write().split(';')[0]?.slice('SESSID='.length)}`;
    const me = await send(app, { url: '/me', headers: { cookie } });
    expect([me.json(), clears(me)]).toEqual([{ user: null }, true]);
    const login = await send(app, { url: '/login', method: 'POST', headers: { ...FORM, cookie }, body: 'user=eve' });
    expect(clears(login)).toBe(false);
    expect((await send(app, { url: '/me', headers: { cookie: cookieOf(login) } })).json()).toEqual({ user: 'eve' });
  });

  it('rolling: true re-seals the cookie on every answer that read the session', async () => {
    const cookie = cookieOf(await send(rolling, { url: '/login', method: 'POST', headers: FORM, body: 'user=cy' }));
    const me = await send(rolling, { url: '/me', headers: { cookie } });
    expect(me.header('set-cookie')).toMatch(/^SESSID=/);
    expect(cookieOf(me)).not.toBe(cookie);
    expect((await send(rolling, { url: '/plain', headers: { cookie } })).header('set-cookie')).toBeUndefined();
  });
});

describe('an expired session cookie', () => {
  afterEach(() => vi.restoreAllMocks());

  it('is an empty session, its cookie cleared and the reason logged at debug only', async () => {
    const logger = recordingLogger();
    const app = sessionApp({ logger }, sessions({ maxAge: 3600 }));
    const old = new PoorSession(SECRET, { maxAge: 3600 });
    old.data = { user: 'ann' };
    const now = Date.now();
    vi.spyOn(Date, 'now').mockReturnValue(now - 2 * 3600 * 1000); // sealed two hours ago
    const sealed = old.write().split(';')[0] as string;
    vi.restoreAllMocks();
    const reply = await app.inject({ url: '/me', headers: { cookie: sealed } });
    expect([reply.status, reply.json()]).toEqual([200, { user: null }]);
    expect(firstCookieLine(reply.headers['set-cookie'])).toMatch(/^SESSID=.*; Max-Age=0;/);
    // The routes line of start-up aside, one debug line says why the cookie was cleared.
    expect(logger.lines.filter((line) => !line.text.includes(' serves '))).toEqual([
      { level: 'debug', text: 'Poor: untrusted session cookie on GET /me (the session expired); cleared' },
    ]);
  });
});

describe('the secret of sessions()', () => {
  it('missing or shorter than 32 bytes: ready() and listen() reject with a TypeError, no request is served', async () => {
    for (const secretKey of [undefined, 'short']) {
      const app = sessionApp({ secretKey });
      await expect(app.ready()).rejects.toThrow(TypeError);
      await expect(app.ready()).rejects.toThrow(/^sessions\(\): .*(secret key|at least 32 bytes)/);
      const again = sessionApp({ secretKey });
      await expect(again.listen({ port: 0 })).rejects.toThrow(/^sessions\(\)/);
      expect(again.server?.listening ?? false).toBe(false);
    }
  });

  it("its own secretKey option wins over the app's, and a list rotates keys", async () => {
    const app = sessionApp({ secretKey: undefined }, sessions({ secretKey: [SECRET, OTHER_SECRET] }));
    const old = new PoorSession(OTHER_SECRET);
    old.data = { user: 'ann' };
    const reply = await app.inject({ url: '/me', headers: { cookie: old.write().split(';')[0] as string } });
    expect(reply.json()).toEqual({ user: 'ann' });
    // Opened with the older key: written back sealed with the first.
    const cookie = firstCookieLine(reply.headers['set-cookie']).split(';')[0] as string;
    expect(new PoorSession(SECRET).load({ SESSID: cookie.slice('SESSID='.length) }).data).toEqual({ user: 'ann' });
  });
});

describe('req.session without the add-on', () => {
  it('is a 500 whose log line names the add-on to install', async () => {
    const logger = recordingLogger();
    const app = new Application('no-sessions', { secretKey: SECRET, logger });
    app.route('/me', (req) => ({ user: req.session.data.user ?? null }));
    expect((await app.inject('/me')).status).toBe(500);
    expect(logger.lines.some((line) => line.level === 'error' && line.text.includes('app.use(sessions())'))).toBe(true);
  });
});

describe('SessionKeys', () => {
  it('derived once, seal and open the same cookies as the secrets they come from', () => {
    const keys = new SessionKeys([SECRET, OTHER_SECRET]);
    const byHand = new PoorSession(SECRET);
    byHand.data = { user: 'ann' };
    const value = (byHand.write().split(';')[0] as string).slice('SESSID='.length);
    const opened = new PoorSession(keys).load({ SESSID: value });
    expect([opened.data, opened.rotated]).toEqual([{ user: 'ann' }, false]);
    const older = new PoorSession(OTHER_SECRET);
    older.data = { user: 'bob' };
    const rotated = new PoorSession(keys).load({ SESSID: (older.write().split(';')[0] as string).slice(7) });
    expect([rotated.data, rotated.rotated]).toEqual([{ user: 'bob' }, true]);
  });

  it('refuse a missing or short secret with the TypeError PoorSession gives', () => {
    expect(() => new SessionKeys(undefined)).toThrow(/^PoorSession needs a secret key/);
    expect(() => new SessionKeys([])).toThrow('PoorSession needs at least one secret key');
    expect(() => new SessionKeys('short')).toThrow(/at least 32 bytes/);
  });
});
