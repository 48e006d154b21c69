// URL contracts of examples/session.ts and examples/poor-session.ts (reference §13.8, §13.9).
import { describe, expect, it } from 'vitest';
import type { Application } from '@poor/core';
import { app as jwtSession } from '../session.js';
import { app as poorSession } from '../poor-session.js';

const form = { 'content-type': 'application/x-www-form-urlencoded' };

async function logIn(app: Application, body = 'username=alice&password=secret'): Promise<string | undefined> {
  const reply = await app.inject({ url: '/login', method: 'POST', headers: form, body });
  const setCookie = reply.headers['set-cookie'];
  return Array.isArray(setCookie) ? setCookie[0] : setCookie;
}

for (const [name, app, invalid] of [
  ['session', jwtSession, 'Session expired or invalid'],
  ['poor-session', poorSession, 'Invalid session'],
] as const) {
  describe(`examples/${name}.ts URL contract`, () => {
    it('serves the index and the log-in form', async () => {
      expect((await app.inject('/')).text()).toContain('href="/private"');
      expect((await app.inject('/login')).text()).toContain('Password is: secret');
      expect((await app.inject({ url: '/private', method: 'POST' })).status).toBe(405);
    });

    it('a good log-in redirects to /private with a SameSite=Lax HttpOnly cookie; a bad one to /login', async () => {
      const bad = await app.inject({ url: '/login', method: 'POST', headers: form, body: 'username=alice&password=x' });
      expect([bad.status, bad.headers.location, bad.headers['set-cookie']]).toEqual([302, '/login', undefined]);
      const empty = await app.inject({
        url: '/login',
        method: 'POST',
        headers: form,
        body: 'username=&password=secret',
      });
      expect(empty.headers.location).toBe('/login');
      const good = await app.inject({
        url: '/login',
        method: 'POST',
        headers: form,
        body: 'username=alice&password=secret',
      });
      expect([good.status, good.headers.location]).toEqual([302, '/private']);
      expect(await logIn(app)).toMatch(/^SESSID=[\w.-]+; Path=\/; HttpOnly; SameSite=Lax$/);
    });

    it('/private greets the user, and sends the others to /login with a reason', async () => {
      const cookie = (await logIn(app))?.split(';')[0] as string;
      const page = await app.inject({ url: '/private', headers: { cookie } });
      expect(page.text()).toContain('Hello, <strong>alice</strong>!');
      const none = await app.inject('/private');
      expect([none.status, none.headers.location, none.text()]).toEqual([302, '/login', 'Login required']);
      const value = cookie.slice('SESSID='.length);
      for (const forged of ['SESSID=forged', `SESSID=${value.slice(0, -2)}xx`, `SESSID=${value.slice(0, 30)}`]) {
        const reply = await app.inject({ url: '/private', headers: { cookie: forged } });
        expect([reply.status, reply.headers.location, reply.text()]).toEqual([302, '/login', invalid]);
      }
    });

    it('/logout expires the cookie and redirects to /login', async () => {
      const reply = await app.inject('/logout');
      expect([reply.status, reply.headers.location]).toEqual([302, '/login']);
      const setCookie = String(reply.headers['set-cookie']);
      const expires = Date.parse(/Expires=([^;]+)/.exec(setCookie)?.[1] ?? '');
      expect(expires).toBeLessThan(Date.now());
    });
  });
}

describe('examples/poor-session.ts limits log-in attempts', () => {
  it('answers the 21st POST of a minute from one address with 429, other addresses unaffected', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const attempt = (remoteAddress: string) =>
      poorSession.inject({
        url: '/login',
        method: 'POST',
        headers: form,
        body: 'username=mallory&password=guess',
        remoteAddress,
      });
    const statuses: number[] = [];
    for (let index = 0; index < 21; index += 1) statuses.push((await attempt('192.0.2.66')).status);
    expect(statuses.slice(0, 20).every((status) => status === 302)).toBe(true);
    expect(statuses[20]).toBe(429);
    expect((await attempt('192.0.2.67')).status).toBe(302);
    expect((await poorSession.inject({ url: '/login', remoteAddress: '192.0.2.66' })).status).toBe(200);
  });
});

describe('examples/poor-session.ts seals the user', () => {
  it('the user name does not appear in the cookie', async () => {
    expect(await logIn(poorSession)).not.toContain('alice');
  });
});
