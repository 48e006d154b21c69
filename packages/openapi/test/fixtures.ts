// Documents shared by the @poor/openapi tests: one OpenAPI 3.0 document exercising every
// parameter location and style, bodies and security schemes, and its 3.1 counterpart.
import { Application, type Logger, type Request } from '@poor/core';
import { apiOf, openapi, type OpenAPIOptions } from '../src/index.js';

const json = (schema: object): object => ({ 'application/json': { schema } });
const ok = { '200': { description: 'ok' } };

const Pet = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 50 },
    age: { type: 'integer', minimum: 0, maximum: 100, exclusiveMaximum: true },
    tags: { type: 'array', maxItems: 10, items: { type: 'string' } },
    owner: { type: 'string', nullable: true },
    child: { $ref: '#/components/schemas/Node' },
  },
};

/** An OpenAPI 3.0 document; `security` and `servers` vary per test. */
export function document30(extra: { servers?: object[] } = {}): Record<string, unknown> {
  return structuredClone({
    openapi: '3.0.3',
    info: { title: 'fixture', version: '1' },
    ...extra,
    paths: {
      '/pets/{petId}': {
        parameters: [{ name: 'petId', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } }],
        get: {
          operationId: 'getPet',
          parameters: [
            {
              name: 'fields',
              in: 'query',
              schema: { type: 'array', items: { type: 'string', enum: ['name', 'age'] } },
            },
            { name: 'verbose', in: 'query', schema: { type: 'boolean', default: false } },
            { name: 'X-Trace', in: 'header', schema: { type: 'string', pattern: '^[a-f0-9]{8}$' } },
            { name: 'Accept', in: 'header', schema: { type: 'string', pattern: '^never$' } },
          ],
          responses: { '200': { description: 'a pet', content: json({ $ref: '#/components/schemas/Pet' }) } },
        },
        put: {
          requestBody: { required: true, content: json({ $ref: '#/components/schemas/Pet' }) },
          responses: ok,
        },
      },
      '/styles/{label}/{matrix}/{list}': {
        get: {
          parameters: [
            { name: 'label', in: 'path', required: true, style: 'label', schema: { type: 'integer' } },
            { name: 'matrix', in: 'path', required: true, style: 'matrix', schema: { type: 'integer' } },
            { name: 'list', in: 'path', required: true, schema: { type: 'array', items: { type: 'integer' } } },
            {
              name: 'csv',
              in: 'query',
              explode: false,
              schema: { type: 'array', maxItems: 100, items: { type: 'integer' } },
            },
            {
              name: 'spaced',
              in: 'query',
              style: 'spaceDelimited',
              schema: { type: 'array', items: { type: 'integer' } },
            },
            {
              name: 'piped',
              in: 'query',
              style: 'pipeDelimited',
              schema: { type: 'array', items: { type: 'integer' } },
            },
            {
              name: 'filter',
              in: 'query',
              style: 'deepObject',
              explode: true,
              schema: { type: 'object', properties: { min: { type: 'integer' }, color: { type: 'string' } } },
            },
            {
              name: 'point',
              in: 'query',
              schema: { type: 'object', properties: { x: { type: 'number' }, y: { type: 'number' } } },
            },
            { name: 'where', in: 'query', content: json({ type: 'object', required: ['q'] }) },
            { name: 'X-Ids', in: 'header', schema: { type: 'array', items: { type: 'integer' } } },
            { name: 'theme', in: 'cookie', schema: { type: 'string', enum: ['dark', 'light'] } },
          ],
          responses: ok,
        },
      },
      '/search': {
        get: {
          parameters: [
            { name: 'limit', in: 'query', required: true, schema: { type: 'integer', minimum: 1, maximum: 100 } },
            { name: 'code', in: 'query', schema: { type: 'string', pattern: '^\\d+$' } },
          ],
          responses: ok,
        },
      },
      '/forms': {
        post: {
          requestBody: {
            required: true,
            content: {
              'application/x-www-form-urlencoded': {
                schema: {
                  type: 'object',
                  required: ['count'],
                  properties: { count: { type: 'integer' }, tags: { type: 'array', items: { type: 'string' } } },
                },
              },
              'multipart/form-data': {
                schema: {
                  type: 'object',
                  required: ['file'],
                  properties: { file: { type: 'string', format: 'binary' }, note: { type: 'string' } },
                },
              },
              'text/plain': { schema: { type: 'string', maxLength: 5 } },
              'application/merge-patch+json': { schema: { type: 'object' } },
            },
          },
          responses: ok,
        },
      },
      '/secure/key': {
        get: { security: [{ HeaderKey: [] }, { QueryKey: [] }], responses: ok },
      },
      '/secure/both': {
        get: { security: [{ HeaderKey: [], SessionCookie: [] }], responses: ok },
      },
      '/secure/http': {
        get: { security: [{ Basic: [] }, { Bearer: ['read'] }], responses: ok },
      },
      '/secure/open': {
        get: { security: [], responses: ok },
      },
      '/default-secure': {
        get: { responses: ok },
      },
      '/described': {
        get: {
          responses: {
            '200': {
              description: 'ok',
              content: json({ type: 'object', required: ['n'], properties: { n: { type: 'integer' } } }),
            },
            '4XX': { description: 'an error', content: { 'text/plain': { schema: { type: 'string' } } } },
          },
        },
      },
    },
    security: [{ HeaderKey: [] }],
    components: {
      schemas: {
        Pet,
        Node: {
          type: 'object',
          properties: { next: { $ref: '#/components/schemas/Node' }, value: { type: 'integer' } },
        },
      },
      securitySchemes: {
        HeaderKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        QueryKey: { type: 'apiKey', in: 'query', name: 'api_key' },
        SessionCookie: { type: 'apiKey', in: 'cookie', name: 'sid' },
        Basic: { type: 'http', scheme: 'basic' },
        Bearer: { type: 'http', scheme: 'bearer' },
      },
    },
  });
}

/** What every route answers: the validated data, so tests see what the handler would. */
function echo(req: Request): unknown {
  const api = apiOf(req);
  return {
    path: api.path,
    query: api.query,
    headers: api.headers,
    cookies: api.cookies,
    body: api.body ?? null,
    security: api.security,
  };
}

/** An app with a route for every path of {@link document30} (and two the document lacks). */
export function fixtureApp(
  options: OpenAPIOptions & { base?: string; debug?: boolean; logger?: Logger | false } = {},
  doc?: object,
): Application {
  const base = options.base ?? '';
  const app = new Application('openapi-fixture', { logger: options.logger ?? false, debug: options.debug ?? false });
  app.use(openapi(doc ?? document30(base ? { servers: [{ url: `https://api.example.com${base}` }] } : {}), options));
  app.route(`${base}/pets/<id:int>`, echo, ['GET', 'PUT']);
  app.route(`${base}/styles/<label>/<matrix>/<list>`, echo);
  app.route(`${base}/search`, echo);
  app.route(`${base}/search`, () => 'posted', ['POST']);
  for (const path of ['/secure/key', '/secure/both', '/secure/http', '/secure/open', '/default-secure']) {
    app.route(`${base}${path}`, echo);
  }
  app.route(`${base}/forms`, echo, ['POST']);
  app.route(`${base}/undescribed`, () => 'not in the document', ['GET', 'POST']);
  return app;
}

/** The credentials the fixture's default security wants. */
export const KEY = { 'x-api-key': 'k1' };
