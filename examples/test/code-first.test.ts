// examples/code-first.ts: a CRUD resource whose schemas validate, type and document it.
import { afterAll, expect, it } from 'vitest';
import { closeServer, describeBoth } from '../../packages/openapi/test/transports.js';
import { app, DEMO_KEY } from '../code-first.js';

const JSON_BODY = { 'content-type': 'application/json' };

describeBoth('examples/code-first.ts', (send) => {
  afterAll(() => closeServer(app));

  it('creates, reads, lists, replaces and deletes a note', async () => {
    const created = await send(app, { url: '/notes', method: 'POST', headers: JSON_BODY, body: '{"title":"buy ink"}' });
    expect(created.status).toBe(201);
    const note = created.json<{ id: number; title: string; done: boolean }>();
    expect(note).toMatchObject({ title: 'buy ink', done: false });
    expect(created.header('location')).toBe(`/notes/${note.id}`);
    expect((await send(app, `/notes/${note.id}`)).json()).toEqual(note);
    const replaced = await send(app, {
      url: `/notes/${note.id}`,
      method: 'PUT',
      headers: JSON_BODY,
      body: '{"title":"bought ink","done":true}',
    });
    expect(replaced.json()).toEqual({ id: note.id, title: 'bought ink', done: true });
    const done = (await send(app, '/notes?done=true')).json<Array<{ id: number }>>();
    expect(done.map((item) => item.id)).toContain(note.id);
    expect((await send(app, { url: `/notes/${note.id}`, method: 'DELETE' })).status).toBe(401);
    expect(
      (await send(app, { url: `/notes/${note.id}`, method: 'DELETE', headers: { 'x-api-key': DEMO_KEY } })).status,
    ).toBe(204);
    expect((await send(app, `/notes/${note.id}`)).status).toBe(404);
  });

  it('answers 400 problem details for a body or a query the schemas refuse', async () => {
    const empty = await send(app, {
      url: '/notes',
      method: 'POST',
      headers: { ...JSON_BODY, accept: 'application/json' },
      body: '{"title":""}',
    });
    expect([empty.status, empty.header('content-type')]).toEqual([400, 'application/problem+json']);
    expect(empty.json<{ errors: Array<{ in: string }> }>().errors[0]?.in).toBe('body');
    expect((await send(app, '/notes?limit=0')).status).toBe(400);
    expect((await send(app, '/notes?done=maybe')).status).toBe(400);
  });

  it('serves its OpenAPI document with every operation', async () => {
    const doc = (await send(app, '/openapi.json')).json<{
      info: { title: string };
      paths: Record<string, Record<string, unknown>>;
    }>();
    expect(doc.info.title).toBe('Notes');
    const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method} ${path}`),
    );
    expect(operations.sort()).toEqual([
      'delete /notes/{id}',
      'get /notes',
      'get /notes/{id}',
      'post /notes',
      'put /notes/{id}',
    ]);
  });
});
