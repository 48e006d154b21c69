// examples/openapi3.ts over a real socket with fetch: every route of upstream's URL contract
// (reference §13.6), validated by @poor/openapi against examples/openapi.json.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '@poor/core';

let app: Application;
let base = '';
const origin = 'http://allowed.example';

beforeAll(async () => {
  process.env.CORS_ORIGINS = origin;
  ({ app } = (await import('../openapi3.js')) as { app: Application });
  app.logger = { error: () => undefined, warn: () => undefined, info: () => undefined };
  const { port } = await app.listen({ port: 0 });
  base = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await app.close();
  delete process.env.CORS_ORIGINS;
});

const get = (path: string, init: RequestInit = {}) => fetch(base + path, init);

describe('examples/openapi3.ts', () => {
  it('GET /plain_text: text/plain exactly; DELETE is a 405', async () => {
    const reply = await get('/plain_text');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('text/plain');
    expect(await reply.text()).toBe('Hello world');
    expect((await get('/plain_text', { method: 'DELETE' })).status).toBe(405);
    const head = await get('/plain_text', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('GET /response: {} as application/json', async () => {
    const reply = await get('/response');
    expect(reply.headers.get('content-type')).toBe('application/json');
    expect(await reply.json()).toEqual({});
  });

  it('GET /json/<arg>: the argument as a string, 400 problem details when the document says it is not a number >= 1', async () => {
    expect(await (await get('/json/42')).json()).toEqual({ arg: '42' });
    expect(await (await get('/json/3.14')).json()).toEqual({ arg: '3.14' });
    for (const bad of ['ok', '0']) {
      const reply = await get(`/json/${bad}`);
      expect(reply.status).toBe(400);
      expect(reply.headers.get('content-type')).toBe('application/problem+json');
      expect(((await reply.json()) as { errors: unknown[] }).errors[0]).toMatchObject({ in: 'path', name: 'arg' });
    }
  });

  it('POST/PUT /json: 418 teapot echoing the body; invalid JSON is a 400; GET is a 405', async () => {
    for (const method of ['POST', 'PUT']) {
      const reply = await get('/json', { method, headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
      expect(reply.status).toBe(418);
      expect(reply.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(await reply.json()).toEqual({ message: "I'm teapot :-)", request: { a: 1 } });
    }
    const invalid = await get('/json', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '\0' });
    expect(invalid.status).toBe(400);
    expect((await get('/json')).status).toBe(405);
  });

  it('GET /arg/<arg>: int, float and uuid routes typed; anything else the document refuses', async () => {
    expect(await (await get('/arg/42')).json()).toEqual({ arg: 42 });
    expect(await (await get('/arg/3.14')).json()).toEqual({ arg: 3.14 });
    const uuid = '3E4666BF-D5E5-4AA7-B8CE-CEFE41C7568A';
    expect(await (await get(`/arg/${uuid}`)).json()).toEqual({ arg: uuid.toLowerCase() });
    expect(await (await get('/arg/1e3')).json()).toEqual({ arg: 1000 }); // catch-all route, validated value
    const reply = await get('/arg/ok');
    expect(reply.status).toBe(400);
    expect(await reply.json()).toMatchObject({
      errors: [{ in: 'path', name: 'arg', message: 'matches none of the allowed forms' }],
    });
  });

  it('a response that breaks the document is a 500 in debug mode; a crash shows the debug page', async () => {
    const broken = await get('/broken-response');
    expect(broken.status).toBe(500);
    expect(((await broken.json()) as { errors: Array<{ message: string }> }).errors[0]?.message).toBe(
      'the body at /count must be integer',
    );
    const crash = await get('/internal-server-error');
    expect(crash.status).toBe(500);
    expect(await crash.text()).toContain('a deliberate crash');
  });

  it('GET /login: 204 with the session cookie; /check/login needs it (401 JSON without, 401 page for a forged one)', async () => {
    const login = await get('/login');
    expect(login.status).toBe(204);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
    expect(cookie).toMatch(/^SESSID=/);
    expect(login.headers.get('set-cookie')).toMatch(/HttpOnly/);
    const ok = await get('/check/login', { headers: { cookie } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('login ok');
    const none = await get('/check/login');
    expect(none.status).toBe(401);
    expect(((await none.json()) as { errors: Array<{ name: string }> }).errors[0]?.name).toBe('SESSID');
    const forged = await get('/check/login', { headers: { cookie: 'SESSID=forged' } });
    expect(forged.status).toBe(401);
    expect(forged.headers.get('content-type')).toMatch(/text\/html/);
  });

  it('GET /check/api-key: 200 with API-Key xxx, 401 JSON without it, 401 page for a wrong one', async () => {
    const ok = await get('/check/api-key', { headers: { 'API-Key': 'xxx' } });
    expect(await ok.text()).toBe('api-key ok');
    const none = await get('/check/api-key');
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ errors: [{ in: 'header', name: 'API-Key' }] });
    const wrong = await get('/check/api-key', { headers: { 'API-Key': 'yyy' } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('content-type')).toMatch(/text\/html/);
  });

  it('an unknown path is a 404 JSON for GET, HEAD and POST, the built-in page otherwise', async () => {
    const reply = await get('/no/such/path');
    expect(reply.status).toBe(404);
    expect(await reply.json()).toEqual({ error: 'Url /no/such/path not found' });
    expect((await get('/no', { method: 'POST' })).headers.get('content-type')).toBe('application/json');
    expect((await get('/no', { method: 'PATCH' })).headers.get('content-type')).toMatch(/text\/html/);
  });

  it('CORS: only allow-listed origins are echoed, always with Vary: Origin; preflight is a 204', async () => {
    const allowed = await get('/plain_text', { headers: { origin } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe(origin);
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    expect(allowed.headers.get('vary')).toBe('Origin');
    const other = await get('/plain_text', { headers: { origin: 'http://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(other.headers.get('vary')).toBe('Origin');
    const preflight = await get('/check/api-key', {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'api-key' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/API-Key/);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
    const refused = await get('/check/api-key', { method: 'OPTIONS', headers: { origin: 'http://evil.example' } });
    expect(refused.status).toBe(204);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });
});
