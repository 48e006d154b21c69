// Issue 25, points 4 and 5: an empty query value is a value (OpenAPI 3.0 `allowEmptyValue`),
// and `format: int64` has a range.
import { afterAll, expect, it } from 'vitest';
import { Application, type Request } from '@poor/core';
import { closeServer, describeBoth } from './transports.js';
import { apiOf, openapi } from '../src/index.js';

const document = {
  openapi: '3.0.3',
  info: { title: 'values', version: '1' },
  paths: {
    '/tasks': {
      get: {
        parameters: [
          { name: 'status', in: 'query', schema: { type: 'string', enum: ['open', 'done'], default: 'open' } },
          { name: 'tag', in: 'query', schema: { type: 'string', pattern: '^[a-z]+$' } },
          { name: 'name', in: 'query', schema: { type: 'string', minLength: 2 } },
          { name: 'note', in: 'query', allowEmptyValue: true, schema: { type: 'string', minLength: 3 } },
          { name: 'page', in: 'query', schema: { type: 'integer' } },
        ],
        responses: { '200': { description: 'tasks' } },
      },
    },
    '/ids': {
      post: {
        requestBody: {
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: { id: { type: 'integer', format: 'int64' }, small: { type: 'integer', format: 'int32' } },
              },
            },
          },
        },
        responses: { '200': { description: 'stored' } },
      },
    },
  },
};

describeBoth('@poor/openapi parameter values', (send) => {
  const app = new Application('values', { logger: false });
  app.use(openapi(document));
  app.route('/tasks', (req: Request) => apiOf(req).query);
  app.route('/ids', (req: Request) => apiOf(req).body as object, 'POST');
  afterAll(() => closeServer(app));

  const query = async (text: string): Promise<{ status: number; body: unknown }> => {
    const reply = await send(app, `/tasks?${text}`);
    return { status: reply.status, body: reply.json() };
  };

  it('answers 400 for an empty value an enum, a pattern, minLength or a number refuses', async () => {
    for (const text of ['status=', 'tag=', 'name=', 'page=']) {
      const { status, body } = await query(text);
      expect(status, text).toBe(400);
      expect((body as { errors: Array<{ name: string }> }).errors[0]?.name).toBe(text.slice(0, -1));
    }
    expect((await query('status=bogus')).status).toBe(400);
  });

  it('applies the default only when the parameter is absent', async () => {
    expect(await query('')).toEqual({ status: 200, body: { status: 'open' } });
    expect(await query('status=done')).toEqual({ status: 200, body: { status: 'done' } });
  });

  it('accepts an empty value where allowEmptyValue says so, and validates a non-empty one', async () => {
    expect(await query('note=')).toEqual({ status: 200, body: { status: 'open', note: '' } });
    expect(await query('note')).toEqual({ status: 200, body: { status: 'open', note: '' } });
    expect((await query('note=ab')).status).toBe(400);
  });

  it('range-checks int64 as it does int32', async () => {
    const post = (body: string) =>
      send(app, { url: '/ids', method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect((await post('{"id":1e30}')).status).toBe(400);
    expect((await post('{"id":-1e30}')).status).toBe(400);
    expect((await post('{"small":2147483648}')).status).toBe(400);
    const fine = await post('{"id":9007199254740991,"small":-2147483648}');
    expect(fine.status).toBe(200);
    expect(fine.json()).toEqual({ id: 9007199254740991, small: -2147483648 });
    // The largest int64 parses to 2^63 in JavaScript: accepted (documented), precision lost.
    expect((await post('{"id":9223372036854775807}')).status).toBe(200);
  });
});
