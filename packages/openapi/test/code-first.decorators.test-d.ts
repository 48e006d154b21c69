// Issue 28: handlers typed from their schemas. Type-checked by `npm run typecheck` with
// tsconfig.json (TC39 standard decorators) and tsconfig.legacy.json (experimentalDecorators):
// each @ts-expect-error must fail in both modes.
import Type from 'typebox';
import { z } from 'zod';
import { describe, expectTypeOf, it } from 'vitest';
import { Application, Response } from '@poor/core';
import { openapi, operation, type ApiRequest, type Infer } from '../src/index.js';

const Item = Type.Object({ id: Type.Integer(), name: Type.String(), note: Type.Optional(Type.String()) });
const create = { body: Type.Object({ name: Type.String() }), responses: { 201: Item, 400: null } } as const;
const plain = {
  query: {
    type: 'object',
    properties: { page: { type: 'integer' }, sort: { enum: ['asc', 'desc'] } },
    required: ['page'],
  },
} as const;
const zod = { body: z.object({ qty: z.number(), sku: z.string().optional() }) };

describe('Infer', () => {
  it('reads TypeBox, plain JSON Schema `as const` and Standard Schema (Zod 4)', () => {
    expectTypeOf<Infer<typeof Item>>().toEqualTypeOf<{ id: number; name: string; note?: string }>();
    expectTypeOf<Infer<typeof plain.query>>().toEqualTypeOf<{ page: number; sort?: 'asc' | 'desc' }>();
    expectTypeOf<Infer<typeof zod.body>>().toEqualTypeOf<{ qty: number; sku?: string | undefined }>();
    expectTypeOf<Infer<{ type: 'array'; items: { type: 'string' } }>>().toEqualTypeOf<string[]>();
    expectTypeOf<Infer<{ anyOf: [{ type: 'string' }, { type: 'null' }] }>>().toEqualTypeOf<string | null>();
  });
});

class Items {
  @operation('/items', 'POST', create)
  add(req: ApiRequest<typeof create>): { id: number; name: string } {
    expectTypeOf(req.api.body).toEqualTypeOf<{ name: string }>();
    return { id: 1, name: req.api.body.name };
  }

  @operation('/items', 'GET', plain)
  list(req: ApiRequest<typeof plain>): string {
    expectTypeOf(req.api.query.page).toEqualTypeOf<number>();
    expectTypeOf(req.api.query.sort).toEqualTypeOf<'asc' | 'desc' | undefined>();
    return 'page ' + String(req.api.query.page);
  }

  @operation('/items/<id:int>', 'PUT', create)
  replace(req: ApiRequest<typeof create, '/items/<id:int>'>, id: number): Response {
    expectTypeOf(req.params.id).toEqualTypeOf<number>();
    return new Response(`${id} ${req.api.body.name}`, { status: 201 });
  }

  // @ts-expect-error the body is { name: string }, not a number
  @operation('/wrong-body', 'POST', create)
  wrongBody(req: ApiRequest<{ body: { type: 'number' } }>): { id: number; name: string } {
    return { id: req.api.body, name: '' };
  }

  // @ts-expect-error the 201 schema says { id: number; name: string }: a missing name does not compile
  @operation('/wrong-answer', 'POST', create)
  wrongAnswer(): { id: number } {
    return { id: 1 };
  }

  // @ts-expect-error the route parameter is a number
  @operation('/items/<id:int>/name', 'GET', plain)
  wrongParam(_req: ApiRequest<typeof plain>, id: string): string {
    return id;
  }
}

describe('api.route', () => {
  it('types req.api from the spec without annotations, and checks the answer', () => {
    const api = openapi();
    new Application('typed', { controllers: [Items], addOns: [api] });
    api.route(
      '/orders',
      zod,
      (req) => {
        expectTypeOf(req.api.body.qty).toEqualTypeOf<number>();
        return { ok: true };
      },
      'POST',
    );
    api.route('/created', create, (req) => ({ id: 2, name: req.api.body.name }), 'POST');
    // @ts-expect-error the 201 schema needs a name
    api.route('/created-wrong', create, () => ({ id: 2 }), 'POST');
  });
});
