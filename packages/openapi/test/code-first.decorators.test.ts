// Issue 28: code-first OpenAPI. Schemas written on routes (`@operation` on controller methods,
// `api.route` for functions) in TypeBox, Zod 4 or plain JSON Schema become operations of a
// generated OpenAPI 3.1 document (served, valid against the official schema, mergeable with a
// hand-written one) and are validated on the same compiled path as a hand-written document.
// Runs in both decorator modes (the `legacy` project re-runs *.decorators.test.ts).
import { BASIC } from '@hyperjump/json-schema/experimental';
import { validate } from '@hyperjump/json-schema/openapi-3-1';
import Type from 'typebox';
import { z } from 'zod';
import * as v from 'valibot';
import { toStandardJsonSchema } from '@valibot/to-json-schema';
import { afterAll, describe, expect, it } from 'vitest';
import { apiKey, Application, basic, checkDigest, controller, guard, JSONResponse } from '@poor/core';
import { closeServer, describeBoth } from './transports.js';
import { openapi, operation, SpecError, type ApiRequest, type Json } from '../src/index.js';

const Item = Type.Object({ id: Type.Integer(), name: Type.String(), tags: Type.Array(Type.String()) });
const NewItem = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 40 }),
  tags: Type.Optional(Type.Array(Type.String(), { maxItems: 3 })),
});

const list = {
  summary: 'List items',
  query: Type.Object({
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 10 })),
    q: Type.Optional(Type.String()),
  }),
  responses: { 200: Type.Array(Item) },
} as const;
const create = { summary: 'Create an item', body: NewItem, responses: { 201: Item, 400: null } } as const;
const read = {
  params: { type: 'object', properties: { id: { type: 'integer', minimum: 1 } }, required: ['id'] },
  headers: Type.Object({ 'x-trace': Type.Optional(Type.String({ pattern: '^[a-z0-9]+$' })) }),
  responses: { 200: Item, 404: null },
} as const;

@controller('/items')
class Items {
  #items = new Map<number, { id: number; name: string; tags: string[] }>([[1, { id: 1, name: 'pen', tags: [] }]]);

  @operation('', 'GET', list)
  list(req: ApiRequest<typeof list>): Array<{ id: number; name: string; tags: string[] }> {
    const { limit = 10, q } = req.api.query;
    return [...this.#items.values()].filter((item) => q === undefined || item.name.includes(q)).slice(0, limit);
  }

  @operation('', 'POST', create)
  create(req: ApiRequest<typeof create>): JSONResponse {
    const item = { id: this.#items.size + 1, name: req.api.body.name, tags: req.api.body.tags ?? [] };
    this.#items.set(item.id, item);
    return new JSONResponse(item, { status: 201 });
  }

  @operation('/<id:int>', 'GET', read)
  read(req: ApiRequest<typeof read, '/<id:int>'>, id: number): { id: number; name: string; tags: string[] } {
    expect(req.api.path.id).toBe(id);
    return this.#items.get(id) ?? { id, name: 'unknown', tags: [] };
  }
}

function codeFirstApp(): { app: Application; api: ReturnType<typeof openapi> } {
  const api = openapi({ documentPath: '/openapi.json', info: { title: 'Shop', version: '1.2.0' } });
  const app = new Application('shop', { controllers: [Items], addOns: [api], logger: false });
  // Zod 4, through Standard JSON Schema, on a function route
  api.route(
    '/orders',
    {
      body: z.object({ item: z.number().int().positive(), quantity: z.number().int().min(1).max(9) }),
      responses: { 200: z.object({ total: z.number() }) },
    },
    (req) => ({ total: req.api.body.quantity * 2.5 }),
    'POST',
  );
  // Valibot, through its Standard JSON Schema adapter
  const Search = toStandardJsonSchema(v.object({ term: v.pipe(v.string(), v.minLength(2)) }));
  api.route('/search', { query: Search }, (req) => ({ term: req.api.query.term.toUpperCase() }));
  return { app, api };
}

const JSON_HEADERS = { 'content-type': 'application/json' };

describeBoth('code-first operations', (send) => {
  const { app } = codeFirstApp();
  afterAll(() => closeServer(app));

  it('validates and types the body (TypeBox), answering 201', async () => {
    const reply = await send(app, {
      url: '/items',
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ name: 'ink', tags: ['blue'] }),
    });
    expect([reply.status, reply.json()]).toEqual([201, { id: 2, name: 'ink', tags: ['blue'] }]);
  });

  it('refuses a body that breaks the schema with 400 problem details listing the issues', async () => {
    const reply = await send(app, {
      url: '/items',
      method: 'POST',
      headers: { ...JSON_HEADERS, accept: 'application/json' },
      body: JSON.stringify({ name: '', tags: ['a', 'b', 'c', 'd'] }),
    });
    expect(reply.status).toBe(400);
    expect(reply.header('content-type')).toBe('application/problem+json');
    const problem = reply.json<{ status: number; errors: Array<{ in: string; name: string }> }>();
    expect(problem.status).toBe(400);
    expect(problem.errors.every((issue) => issue.in === 'body')).toBe(true);
  });

  it('coerces query strings to the schema types and applies defaults', async () => {
    expect((await send(app, '/items?limit=1')).json()).toHaveLength(1);
    const bad = await send(app, { url: '/items?limit=500', headers: { accept: 'application/json' } });
    expect(bad.status).toBe(400);
    expect(bad.json<{ errors: Array<{ in: string; name: string }> }>().errors[0]).toMatchObject({
      in: 'query',
      name: 'limit',
    });
    const words = await send(app, { url: '/items?limit=ten', headers: { accept: 'application/json' } });
    expect(words.status).toBe(400);
  });

  it('checks path parameters and headers against their schemas', async () => {
    expect((await send(app, '/items/1')).json()).toEqual({ id: 1, name: 'pen', tags: [] });
    expect((await send(app, '/items/0')).status).toBe(400); // minimum 1
    expect((await send(app, { url: '/items/1', headers: { 'x-trace': 'NOT OK' } })).status).toBe(400);
  });

  it('validates a Valibot schema through its Standard JSON Schema adapter', async () => {
    expect((await send(app, '/search?term=ink')).json()).toEqual({ term: 'INK' });
    expect((await send(app, '/search?term=i')).status).toBe(400);
  });

  it('validates a Zod 4 schema through its JSON Schema', async () => {
    const ok = await send(app, {
      url: '/orders',
      method: 'POST',
      headers: JSON_HEADERS,
      body: '{"item":3,"quantity":4}',
    });
    expect([ok.status, ok.json()]).toEqual([200, { total: 10 }]);
    const bad = await send(app, {
      url: '/orders',
      method: 'POST',
      headers: JSON_HEADERS,
      body: '{"item":3,"quantity":10}',
    });
    expect(bad.status).toBe(400);
  });
});

describe('the generated document', () => {
  const { app, api } = codeFirstApp();
  afterAll(() => closeServer(app));

  it('is served at documentPath: operations, parameters, bodies, responses, tags by controller', async () => {
    const doc = (await app.inject('/openapi.json')).json<Json & { paths: Record<string, Record<string, Json>> }>();
    expect(doc).toMatchObject({ openapi: '3.1.0', info: { title: 'Shop', version: '1.2.0' } });
    expect(Object.keys(doc.paths).sort()).toEqual(['/items', '/items/{id}', '/orders', '/search']);
    expect(doc.paths['/items']?.get).toMatchObject({
      tags: ['Items'],
      summary: 'List items',
      operationId: 'Items.list',
      parameters: [
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 50, default: 10 } },
        { name: 'q', in: 'query', schema: { type: 'string' } },
      ],
      responses: { '200': { description: 'OK', content: { 'application/json': { schema: { type: 'array' } } } } },
    });
    expect(doc.paths['/items']?.post).toMatchObject({
      requestBody: {
        required: true,
        content: { 'application/json': { schema: { type: 'object', required: ['name'] } } },
      },
      responses: { '201': { description: 'Created' }, '400': { description: 'Bad Request' } },
    });
    expect(doc.paths['/items/{id}']?.get).toMatchObject({
      parameters: [
        { name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } },
        { name: 'x-trace', in: 'header' },
      ],
    });
    expect(doc.paths['/orders']?.post).toMatchObject({
      requestBody: { content: { 'application/json': { schema: { type: 'object', required: ['item', 'quantity'] } } } },
    });
    expect(api.document).toEqual(doc);
  });

  it('is valid against the official OpenAPI 3.1 schema, its schemas against the OpenAPI dialect', async () => {
    await app.ready();
    // schema-base: the document's structure, and every Schema Object against the 3.1 dialect
    const output = await validate('https://spec.openapis.org/oas/3.1/schema-base', api.document as never, BASIC);
    expect('errors' in output ? output.errors : []).toEqual([]);
    expect(output.valid).toBe(true);
    const broken = {
      ...api.document,
      paths: {
        '/x': {
          get: {
            responses: { '200': { description: 'x', content: { 'application/json': { schema: { type: 'objet' } } } } },
          },
        },
      },
    };
    expect((await validate('https://spec.openapis.org/oas/3.1/schema-base', broken as never)).valid).toBe(false);
  });
});

describe('the document and the docs page as routes', () => {
  it('are served under strict: true (never refused as undescribed), the page from swagger-ui-dist', async () => {
    const api = openapi({ docsPath: '/docs', strict: true });
    const app = new Application('strict', { addOns: [api], logger: false });
    api.route('/ping', {}, () => 'pong');
    app.route('/undescribed', () => 'no');
    expect((await app.inject('/docs/openapi.json')).json()).toMatchObject({ paths: { '/ping': {} } });
    const page = await app.inject('/docs');
    expect(page.text()).toContain('<script src="/docs/swagger-ui-bundle.js"></script>');
    expect(page.text()).toContain('<title>strict</title>');
    const init = await app.inject('/docs/init.js');
    expect(init.text()).toContain('"url":"/docs/openapi.json"');
    const css = await app.inject('/docs/swagger-ui.css');
    expect([css.status, css.headers['content-type']]).toEqual([200, 'text/css; charset=utf-8']);
    expect((await app.inject('/docs/package.json')).status).toBe(404); // only the page's files
    expect((await app.inject('/undescribed')).status).toBe(404);
  });
});

describe('the status of a plain answer', () => {
  for (const validateResponses of [false, true]) {
    it(`is the one 2xx status the spec lists, when that is not 200 (validateResponses: ${validateResponses})`, async () => {
      const api = openapi({ validateResponses });
      const app = new Application('statuses', { addOns: [api], logger: false, debug: true });
      api.route(
        '/made',
        { body: NewItem, responses: { 201: Item } },
        (req) => ({ id: 9, name: req.api.body.name, tags: [] }),
        'POST',
      );
      api.route('/plain', { responses: { 200: Item, 201: Item } }, () => ({ id: 1, name: 'a', tags: [] }));
      api.route('/empty', { responses: { 204: null } }, () => undefined);
      const made = await app.inject({ url: '/made', method: 'POST', body: { name: 'cup' } });
      expect([made.status, made.json()]).toEqual([201, { id: 9, name: 'cup', tags: [] }]);
      expect((await app.inject('/plain')).status).toBe(200);
      expect((await app.inject('/empty')).status).toBe(204);
      expect((await app.inject({ url: '/made', method: 'POST', body: { name: '' } })).status).toBe(400);
    });
  }
});

describe('security in the generated document', () => {
  @controller('/admin')
  @checkDigest('Admin Zone')
  class Admin {
    @operation('/stats', 'GET', { responses: { 200: Type.Object({ users: Type.Integer() }) } })
    stats(): { users: number } {
      return { users: 3 };
    }

    @guard(apiKey({ name: 'X-API-Key', verify: (key) => key === 'k1' }))
    @operation('/keys', 'DELETE', {})
    revoke(): null {
      return null;
    }
  }

  it('comes from the guards that run before each operation (app, controller, route), described by the guards', async () => {
    const token = { type: 'apiKey', in: 'header', name: 'X-Token' };
    const api = openapi({ documentPath: '/openapi.json', securitySchemes: { token } });
    const app = new Application('secured', {
      controllers: [Admin],
      addOns: [api],
      logger: false,
      secretKey: 'k'.repeat(32),
    });
    api.route('/report', { query: Type.Object({ day: Type.String() }) }, (req) => req.api.query.day, {
      before: [basic('reports', () => true)],
    });
    api.route('/public', {}, () => 'open');
    api.route('/mine', { security: [{ token: [] }] }, () => 'mine', { before: [basic('x', () => true)] });
    const doc = (await app.inject('/openapi.json')).json<{
      paths: Record<string, Record<string, { security?: unknown }>>;
      components: { securitySchemes: Record<string, unknown> };
    }>();
    expect(doc.paths['/admin/stats']?.get?.security).toEqual([{ digest: [] }]);
    expect(doc.paths['/admin/keys']?.delete?.security).toEqual([{ digest: [], apiKey: [] }]);
    expect(doc.paths['/report']?.get?.security).toEqual([{ basic: [] }]);
    expect(doc.paths['/public']?.get?.security).toBeUndefined();
    expect(doc.paths['/mine']?.get?.security).toEqual([{ token: [] }]); // the spec's own wins
    expect(doc.components.securitySchemes).toEqual({
      digest: { type: 'http', scheme: 'digest' },
      apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      basic: { type: 'http', scheme: 'basic' },
      token,
    });
    // the guard answers first: 401 from digest, before any validation
    expect((await app.inject('/admin/stats')).status).toBe(401);
  });
});

describe('a hand-written document with code-first operations', () => {
  const handWritten = {
    openapi: '3.1.0',
    info: { title: 'Mixed', version: '1' },
    paths: { '/health': { get: { responses: { '200': { description: 'up' } } } } },
    components: { securitySchemes: { basic: { type: 'http', scheme: 'basic' } } },
  };

  it('are combined: the document keeps its paths, the routes add theirs', async () => {
    const api = openapi(handWritten, { documentPath: '/openapi.json' });
    const app = new Application('mixed', { addOns: [api], logger: false });
    app.route('/health', () => ({ up: true }));
    api.route(
      '/echo',
      { query: Type.Object({ word: Type.String({ maxLength: 5 }) }), security: [{ basic: [] }] },
      (req) => ({ word: req.api.query.word }),
      {
        before: [basic('zone', () => true)],
      },
    );
    const doc = (await app.inject('/openapi.json')).json<{ paths: Record<string, unknown> }>();
    expect(Object.keys(doc.paths).sort()).toEqual(['/echo', '/health']);
    expect((await app.inject('/echo?word=toolong')).status).toBe(401); // the guard runs first
  });

  it('an operation in both places stops ready() with a SpecError naming it', async () => {
    const api = openapi(handWritten);
    const app = new Application('twice', { addOns: [api], logger: false });
    api.route('/health', { responses: { 200: Type.Object({ up: Type.Boolean() }) } }, () => ({ up: true }));
    await expect(app.ready()).rejects.toThrow(SpecError);
    await expect(app.ready()).rejects.toThrow(/GET \/health is both in the document and on the route \/health/);
  });

  it('a 3.0 document cannot take code-first operations (their schemas are JSON Schema 2020-12)', async () => {
    const api = openapi({ ...handWritten, openapi: '3.0.3' });
    const app = new Application('old', { addOns: [api], logger: false });
    api.route('/new', { query: Type.Object({ a: Type.String() }) }, () => 'ok');
    await expect(app.ready()).rejects.toThrow(/need an OpenAPI 3\.1 document/);
  });
});
