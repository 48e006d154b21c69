import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Application } from '@poor/core';
import { openapi, SpecError } from '../src/index.js';
import { document30 } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'poor-openapi-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function appFor(doc: string | object, route = '/items/<id>', methods = ['GET', 'POST']): Application {
  const app = new Application('documents', { logger: false });
  app.use(openapi(doc));
  app.route(route, (req) => ({ api: req.api }), methods);
  return app;
}

const doc31 = {
  openapi: '3.1.0',
  info: { title: '3.1', version: '1' },
  paths: {
    '/items/{id}': {
      get: {
        parameters: [
          { name: 'id', in: 'path', required: true, schema: { type: ['integer', 'null'], exclusiveMinimum: 0 } },
          { name: 'kind', in: 'query', schema: { const: 'box' } },
          { name: 'ref', in: 'query', schema: { oneOf: [{ type: 'integer' }, { type: 'string', format: 'uuid' }] } },
        ],
        responses: { '200': { description: 'ok' } },
      },
      post: {
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: { list: { type: 'array', prefixItems: [{ type: 'string' }], items: { type: 'integer' } } },
                unevaluatedProperties: false,
              },
            },
          },
        },
        responses: { '200': { description: 'ok' } },
      },
    },
  },
};

describe('@poor/openapi documents', () => {
  it('validates a 3.1 document with JSON Schema 2020-12 keywords', async () => {
    const app = appFor(doc31);
    expect((await app.inject('/items/3?kind=box')).status).toBe(200);
    expect((await app.inject('/items/0')).status).toBe(400); // exclusiveMinimum as a number
    expect((await app.inject('/items/3?kind=crate')).status).toBe(400);
    const post = (body: object) => app.inject({ method: 'POST', url: '/items/1', body });
    expect((await post({ list: ['a', 1, 2] })).status).toBe(200);
    expect((await post({ list: ['a', 'b'] })).status).toBe(400); // prefixItems, then items
    expect((await post({ other: 1 })).status).toBe(400); // unevaluatedProperties
  });

  it('explains a oneOf failure as a whole rather than by its first branch', async () => {
    const reply = await appFor(doc31).inject('/items/1?ref=neither');
    expect(reply.json()).toMatchObject({
      errors: [{ in: 'query', name: 'ref', message: 'matches none of the allowed forms' }],
    });
  });

  it('rewrites 3.0 schemas: boolean exclusiveMaximum, nullable with and without a type', async () => {
    const app = appFor({
      openapi: '3.0.0',
      info: { title: '3.0', version: '1' },
      paths: {
        '/items/{id}': {
          post: {
            parameters: [
              {
                name: 'id',
                in: 'path',
                required: true,
                schema: { type: 'number', maximum: 10, exclusiveMaximum: true },
              },
            ],
            requestBody: {
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: {
                      a: { type: 'string', nullable: true, enum: ['x'] },
                      b: { nullable: true, allOf: [{ type: 'integer' }] },
                      c: { $ref: '#/components/schemas/C' },
                    },
                  },
                },
              },
            },
            responses: {},
          },
        },
      },
      components: { schemas: { C: { type: 'object', nullable: true } } },
    });
    const post = (id: number, body: object) => app.inject({ method: 'POST', url: `/items/${id}`, body });
    expect((await post(9.5, { a: null, b: null, c: null })).status).toBe(200);
    expect((await post(10, {})).status).toBe(400);
    expect((await post(1, { a: 'y' })).status).toBe(400);
    expect((await post(1, { b: 'text' })).status).toBe(400);
  });

  it('loads a YAML file whose $refs point into another file, once', async () => {
    writeFileSync(
      join(dir, 'schemas.json'),
      JSON.stringify({ Item: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } }),
    );
    writeFileSync(
      join(dir, 'api.yaml'),
      [
        'openapi: 3.0.3',
        'info: { title: yaml, version: "1" }',
        'paths:',
        '  /items/{id}:',
        '    post:',
        '      parameters:',
        '        - { name: id, in: path, required: true, schema: { type: integer } }',
        '      requestBody:',
        '        content:',
        '          application/json:',
        "            schema: { $ref: './schemas.json#/Item' }",
        '      responses: {}',
      ].join('\n'),
    );
    const app = appFor(join(dir, 'api.yaml'));
    expect((await app.inject({ method: 'POST', url: '/items/1', body: { name: 'a' } })).status).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/items/1', body: { title: 'a' } })).status).toBe(400);
    expect((await app.inject({ method: 'POST', url: '/items/x', body: { name: 'a' } })).status).toBe(400);
  });

  it('never modifies the document object it was given', async () => {
    const doc = document30();
    const before = JSON.stringify(doc);
    await appFor(doc, '/search').ready();
    expect(JSON.stringify(doc)).toBe(before);
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a test reaches into the fixture to break it
  type Mutable = Record<string, any>;
  const broken = (change: (doc: Mutable) => void): Record<string, unknown> => {
    const doc = document30() as Mutable;
    change(doc);
    return doc;
  };

  it.each([
    ['a wrong version', broken((doc) => (doc.openapi = '2.0')), '#/openapi', 'expected OpenAPI 3.0.x or 3.1.x'],
    [
      'an invalid schema type',
      broken((doc) => (doc.paths['/search'].get.parameters[0].schema.type = 'integr')),
      '#/paths/~1search/get/parameters/0/schema/type',
      'invalid schema',
    ],
    [
      'a dangling $ref',
      broken((doc) => (doc.paths['/search'].get.parameters[0] = { $ref: '#/components/parameters/Nope' })),
      '#/paths/~1search/get/parameters/0',
      "$ref '#/components/parameters/Nope' points nowhere",
    ],
    [
      'an unknown security scheme',
      broken((doc) => (doc.paths['/search'].get.security = [{ Missing: [] }])),
      '#/paths/~1search/get/security/0',
      "no security scheme 'Missing'",
    ],
    [
      'a parameter in the wrong place',
      broken((doc) => (doc.paths['/search'].get.parameters[0].in = 'body')),
      '#/paths/~1search/get/parameters/0/in',
      "'in' must be",
    ],
    [
      'a bad status key',
      broken((doc) => (doc.paths['/search'].get.responses = { '20x': {} })),
      '#/paths/~1search/get/responses/20x',
      'not a status code',
    ],
  ])('refuses to start with %s, naming the JSON pointer', async (_name, doc, pointer, words) => {
    const app = appFor(doc, '/search');
    const error = await app.ready().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(SpecError);
    expect((error as SpecError).pointer).toBe(pointer);
    expect((error as Error).message).toContain(words);
  });

  it('refuses a missing file and a verifier for a scheme nobody uses', async () => {
    await expect(appFor(join(dir, 'missing.json')).ready()).rejects.toThrow(/could not load/);
    const app = new Application('verifier', { logger: false });
    app.use(openapi(document30(), { security: { Nobody: () => true } }));
    await expect(app.ready()).rejects.toThrow(/no operation uses that security scheme/);
  });

  it('validates a request that arrives before anyone called ready() (the document loads first)', async () => {
    const app = appFor(doc31);
    const server = createServer(app.handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const [bad, good] = await Promise.all([
        fetch(`http://127.0.0.1:${port}/items/0`),
        fetch(`http://127.0.0.1:${port}/items/2`),
      ]);
      expect(bad.status).toBe(400);
      expect(good.status).toBe(200);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('compiles every operation once at start-up: a 200-operation document', async () => {
    const paths: Record<string, object> = {};
    for (let index = 0; index < 200; index += 1) {
      paths[`/r${index}/{id}`] = {
        get: {
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
          responses: {
            '200': {
              description: 'ok',
              content: {
                'application/json': { schema: { type: 'object', properties: { [`p${index}`]: { type: 'string' } } } },
              },
            },
          },
        },
      };
    }
    const app = new Application('many', { logger: false });
    const addOn = openapi({ openapi: '3.0.0', info: { title: 'many', version: '1' }, paths });
    app.use(addOn);
    for (let index = 0; index < 200; index += 1) app.route(`/r${index}/<id>`, () => 'ok');
    await app.ready();
    expect(addOn.compileMillis).toBeGreaterThan(0);
    expect(addOn.compileMillis).toBeLessThan(5000);
    expect((await app.inject('/r199/x')).status).toBe(400);
    expect((await app.inject('/r199/5')).status).toBe(200);
  });
});
