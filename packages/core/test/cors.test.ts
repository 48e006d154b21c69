import { afterAll, describe, expect, it } from 'vitest';
import { Application, cors, HTTPException, type CorsOptions } from '../src/index.js';
import { closeServer, describeBoth } from './helpers/transports.js';

function corsApp(options: CorsOptions): Application {
  const app = new Application('cors', { logger: false, addOns: [cors(options)] });
  app.route('/items', () => ({ items: [] }), ['GET', 'POST']);
  app.route('/items/<id:int>', (req, id) => ({ id }), ['GET', 'PUT', 'DELETE']);
  app.route('/secret', () => {
    throw new HTTPException(403);
  });
  return app;
}

const preflight = (origin: string, method: string, headers?: string) => ({
  method: 'OPTIONS',
  headers: {
    origin,
    'access-control-request-method': method,
    ...(headers ? { 'access-control-request-headers': headers } : {}),
  },
});

describeBoth('cors() with an allow-list and credentials', (send) => {
  const app = corsApp({
    origins: [
      'https://app.example',
      /^https:\/\/[a-z]+\.partner\.example$/,
      (origin) => origin === 'http://localhost:3000',
    ],
    credentials: true,
    maxAge: 600,
    exposeHeaders: ['X-Total'],
  });
  afterAll(() => closeServer(app));

  it('reflects an allowed origin, with Vary: Origin and credentials', async () => {
    for (const origin of ['https://app.example', 'https://shop.partner.example', 'http://localhost:3000']) {
      const reply = await send(app, { url: '/items', headers: { origin } });
      expect(reply.status).toBe(200);
      expect(reply.header('access-control-allow-origin')).toBe(origin);
      expect(reply.header('access-control-allow-credentials')).toBe('true');
      expect(reply.header('access-control-expose-headers')).toBe('X-Total');
      expect(reply.header('vary')).toBe('Origin');
    }
  });

  it('sends no CORS header to an origin not in the list, but still Vary: Origin', async () => {
    for (const origin of ['https://evil.example', 'https://app.example.evil.example', 'null']) {
      const reply = await send(app, { url: '/items', headers: { origin } });
      expect(reply.status).toBe(200);
      expect(reply.header('access-control-allow-origin')).toBeUndefined();
      expect(reply.header('access-control-allow-credentials')).toBeUndefined();
      expect(reply.header('vary')).toBe('Origin');
    }
    const plain = await send(app, '/items');
    expect(plain.header('access-control-allow-origin')).toBeUndefined();
    expect(plain.header('vary')).toBe('Origin');
  });

  it("answers a preflight with the route's real methods", async () => {
    const reply = await send(app, {
      url: '/items/7',
      ...preflight('https://app.example', 'PUT', 'content-type, x-token'),
    });
    expect(reply.status).toBe(204);
    expect(reply.header('access-control-allow-origin')).toBe('https://app.example');
    expect(reply.header('access-control-allow-methods')).toBe('GET, HEAD, PUT, DELETE, OPTIONS');
    expect(reply.header('access-control-allow-headers')).toBe('content-type, x-token');
    expect(reply.header('access-control-max-age')).toBe('600');
    expect(reply.header('vary')).toBe('Origin, Access-Control-Request-Headers');
    const other = await send(app, { url: '/items', ...preflight('https://app.example', 'POST') });
    expect(other.header('access-control-allow-methods')).toBe('GET, HEAD, POST, OPTIONS');
  });

  it('a preflight to an unknown path stays a 404; a refused origin gets no CORS headers', async () => {
    const missing = await send(app, { url: '/nowhere', ...preflight('https://app.example', 'GET') });
    expect(missing.status).toBe(404);
    const refused = await send(app, { url: '/items', ...preflight('https://evil.example', 'POST') });
    expect(refused.status).toBe(204);
    expect(refused.header('access-control-allow-methods')).toBeUndefined();
  });

  it('error answers carry CORS headers too, so the page can read them', async () => {
    const reply = await send(app, { url: '/secret', headers: { origin: 'https://app.example' } });
    expect(reply.status).toBe(403);
    expect(reply.header('access-control-allow-origin')).toBe('https://app.example');
  });
});

describe('cors() for any origin', () => {
  it("answers '*' without Vary and fixed methods and headers when given", async () => {
    const app = corsApp({ methods: ['get', 'post'], headers: ['Content-Type'] });
    const simple = await app.inject({ url: '/items', headers: { origin: 'https://any.example' } });
    expect(simple.headers['access-control-allow-origin']).toBe('*');
    expect(simple.headers.vary).toBeUndefined();
    const reply = await app.inject({ url: '/items', ...preflight('https://any.example', 'POST', 'x-other') });
    expect(reply.headers['access-control-allow-methods']).toBe('GET, POST');
    expect(reply.headers['access-control-allow-headers']).toBe('Content-Type');
    expect(reply.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('refuses credentials with any origin, and bad options', () => {
    expect(() => cors({ credentials: true })).toThrow(/credentials need an allow-list/);
    expect(() => cors({ origins: '*', credentials: true })).toThrow(/credentials/);
    expect(() => cors({ origins: ['https://a.example', '*'] })).toThrow(/cannot be one entry/);
    expect(() => cors({ origins: 'https://a.example', maxAge: 1.5 })).toThrow(/maxAge/);
  });
});
