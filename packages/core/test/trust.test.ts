import { describe, expect, it } from 'vitest';
import { Application, PoorSession, Response } from '../src/index.js';
import { clientAddress, envTrust, plainAddress, trustTest } from '../src/http/trust.js';

describe('trustProxy', () => {
  it('compiles addresses, CIDR ranges and range names', () => {
    const test = trustTest(['10.0.0.0/8', '2001:db8::/32', '192.0.2.7', 'loopback']);
    expect(test('10.1.2.3', 0)).toBe(true);
    expect(test('11.0.0.1', 0)).toBe(false);
    expect(test('2001:db8::1', 0)).toBe(true);
    expect(test('192.0.2.7', 0)).toBe(true);
    expect(test('192.0.2.8', 0)).toBe(false);
    expect(test('127.0.0.1', 0)).toBe(true);
    expect(test('::1', 0)).toBe(true);
    // an IPv4 peer on a dual-stack socket
    expect(test('::ffff:127.0.0.1', 0)).toBe(true);
    expect(test('not an address', 0)).toBe(false);
    expect(trustTest('uniquelocal, linklocal')('172.20.1.1', 0)).toBe(true);
    expect(trustTest('uniquelocal, linklocal')('169.254.9.9', 0)).toBe(true);
    expect(plainAddress('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(plainAddress('::ffff:abcd')).toBe('::ffff:abcd');
  });

  it('takes a string of digits as a hop count, as the environment gives it', () => {
    expect(clientAddress('10.0.0.9', '198.51.100.1, 203.0.113.5', trustTest('1'))).toBe('203.0.113.5');
    expect(clientAddress('10.0.0.9', '198.51.100.1, 203.0.113.5', trustTest(' 2 '))).toBe('198.51.100.1');
  });

  it('refuses a bad value when it is set, not in a request', () => {
    expect(() => new Application('bad', { logger: false, trustProxy: 'nginx' })).toThrow(/'nginx' is not an IP/);
    const app = new Application('later', { logger: false });
    expect(() => (app.trustProxy = ['10.0.0.0/99'])).toThrow(/bad prefix/);
    expect(app.trustProxy).toBe(false);
  });

  it('refuses what is not an address', () => {
    expect(() => trustTest(['nginx'])).toThrow(/'nginx' is not an IP address/);
    expect(() => trustTest('10.0.0.0/33')).toThrow(/bad prefix/);
    expect(() => trustTest(-1)).toThrow(/whole number/);
  });

  it('finds the client: the first untrusted address from the right, or the furthest', () => {
    const loopback = trustTest('loopback');
    expect(clientAddress('127.0.0.1', '198.51.100.1, 127.0.0.2', loopback)).toBe('198.51.100.1');
    expect(clientAddress('127.0.0.1', '198.51.100.1, 203.0.113.5', loopback)).toBe('203.0.113.5');
    // the peer itself not trusted: its headers are ignored
    expect(clientAddress('203.0.113.5', '198.51.100.1', loopback)).toBe('203.0.113.5');
    expect(clientAddress('127.0.0.1', undefined, loopback)).toBe('127.0.0.1');
    // every hop trusted: the furthest address
    expect(clientAddress('127.0.0.1', '198.51.100.1, 203.0.113.5', trustTest(true))).toBe('198.51.100.1');
    // a hop count: one proxy in front
    expect(clientAddress('10.0.0.9', '198.51.100.1, 203.0.113.5', trustTest(1))).toBe('203.0.113.5');
    expect(clientAddress('10.0.0.9', '198.51.100.1, 203.0.113.5', trustTest(2))).toBe('198.51.100.1');
    expect(clientAddress('10.0.0.9', '198.51.100.1', trustTest(0))).toBe('10.0.0.9');
    // a function sees each address with its hop
    const seen: Array<[string, number]> = [];
    const fn = (address: string, hop: number): boolean => {
      seen.push([address, hop]);
      return hop < 2;
    };
    expect(clientAddress('10.0.0.9', 'a, b, c', trustTest(fn))).toBe('b');
    expect(seen).toEqual([
      ['10.0.0.9', 0],
      ['c', 1],
      ['b', 2],
    ]);
  });

  it('a test function that throws trusts nobody, and the request still gets its answer', async () => {
    const app = new Application('throws', {
      logger: false,
      trustProxy: () => {
        throw new Error('broken test');
      },
    });
    app.route('/', (req) => ({ ip: req.ip ?? null, id: req.id.length }));
    app.route('/crash', () => {
      throw new Error('handler crash');
    });
    const reply = await app.inject({ url: '/', headers: { 'x-forwarded-for': '203.0.113.1' } });
    expect(reply.json()).toEqual({ ip: '127.0.0.1', id: 36 });
    expect((await app.inject('/crash')).status).toBe(500);
  });

  it('comes from poor_TrustProxy when the code does not set it', () => {
    expect(envTrust('On')).toBe(true);
    expect(envTrust('off')).toBe(false);
    expect(envTrust('2')).toBe(2);
    expect(envTrust('loopback, 10.0.0.0/8')).toBe('loopback, 10.0.0.0/8');
    expect(envTrust('')).toBeUndefined();
    const saved = process.env.poor_TrustProxy;
    process.env.poor_TrustProxy = 'loopback';
    try {
      expect(new Application('env', { logger: false }).trustProxy).toBe('loopback');
      expect(new Application('code', { logger: false, trustProxy: false }).trustProxy).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.poor_TrustProxy;
      else process.env.poor_TrustProxy = saved;
    }
  });

  it('a session cookie is Secure behind a trusted TLS proxy only', async () => {
    const login = (trustProxy: boolean) => {
      const app = new Application('secure', { logger: false, trustProxy });
      app.route('/login', (req) => {
        const session = new PoorSession('k'.repeat(32)).load(req);
        session.data = { user: 'u' };
        const response = new Response('in');
        session.header(response);
        return response;
      });
      return app.inject({ url: '/login', headers: { 'x-forwarded-proto': 'https' } });
    };
    expect(String((await login(true)).headers['set-cookie'])).toMatch(/; Secure/);
    expect(String((await login(false)).headers['set-cookie'])).not.toMatch(/Secure/);
  });
});
