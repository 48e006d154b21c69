// The "code-first" example: a CRUD resource whose routes carry their schemas (TypeBox). The
// same schemas validate requests (400 problem details), type the handlers' arguments and
// answers, and make the OpenAPI 3.1 document (/openapi.json) and the docs page (/docs,
// Swagger UI from swagger-ui-dist, served by the app). Deleting needs an API key.
// Run: npm run example -- code-first, then open http://127.0.0.1:8080/docs
import { fileURLToPath } from 'node:url';
import Type from 'typebox';
import { apiKey, Application, controller, guard, HTTPException, JSONResponse, NoContentResponse } from '@poor/core';
import { openapi, operation, type ApiRequest } from '@poor/openapi';
import { serve } from './serve.js';

/** The demo's key for DELETE (send it as X-API-Key). */
export const DEMO_KEY = 'demo-key';

const Note = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  title: Type.String({ minLength: 1, maxLength: 80 }),
  done: Type.Boolean(),
});
const NewNote = Type.Object({
  title: Type.String({ minLength: 1, maxLength: 80 }),
  done: Type.Optional(Type.Boolean({ default: false })),
});
const ById = Type.Object({ id: Type.Integer({ minimum: 1 }) });

const list = {
  summary: 'List notes',
  query: Type.Object({
    done: Type.Optional(Type.Boolean()),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  }),
  responses: { 200: Type.Array(Note) },
} as const;
const create = { summary: 'Create a note', body: NewNote, responses: { 201: Note } } as const;
const read = { summary: 'Read a note', params: ById, responses: { 200: Note, 404: null } } as const;
const update = { summary: 'Replace a note', params: ById, body: NewNote, responses: { 200: Note, 404: null } } as const;
const remove = { summary: 'Delete a note', params: ById, responses: { 204: null, 404: null } } as const;

type NoteValue = { id: number; title: string; done: boolean };

@controller('/notes')
class Notes {
  #notes = new Map<number, NoteValue>([[1, { id: 1, title: 'Try the docs page', done: false }]]);
  #next = 2;

  #find(id: number): NoteValue {
    const note = this.#notes.get(id);
    if (note === undefined) throw new HTTPException(404);
    return note;
  }

  @operation('', 'GET', list)
  list(req: ApiRequest<typeof list>): NoteValue[] {
    const { done, limit = 20 } = req.api.query;
    return [...this.#notes.values()].filter((note) => done === undefined || note.done === done).slice(0, limit);
  }

  @operation('', 'POST', create)
  create(req: ApiRequest<typeof create>): JSONResponse {
    const note = { id: this.#next++, title: req.api.body.title, done: req.api.body.done ?? false };
    this.#notes.set(note.id, note);
    return new JSONResponse(note, { status: 201, headers: { Location: `/notes/${note.id}` } });
  }

  @operation('/<id:int>', 'GET', read)
  read(_req: ApiRequest<typeof read>, id: number): NoteValue {
    return this.#find(id);
  }

  @operation('/<id:int>', 'PUT', update)
  update(req: ApiRequest<typeof update>, id: number): NoteValue {
    const note = { ...this.#find(id), title: req.api.body.title, done: req.api.body.done ?? false };
    this.#notes.set(id, note);
    return note;
  }

  @guard(apiKey({ name: 'X-API-Key', verify: (key) => key === DEMO_KEY }))
  @operation('/<id:int>', 'DELETE', remove)
  remove(_req: ApiRequest<typeof remove>, id: number): NoContentResponse {
    this.#find(id);
    this.#notes.delete(id);
    return new NoContentResponse();
  }
}

export const api = openapi({
  documentPath: '/openapi.json',
  docsPath: '/docs',
  info: { title: 'Notes', version: '1.0.0', description: 'A code-first CRUD resource of Poor' },
});
export const app = new Application('code-first', { controllers: [Notes], addOns: [api] });

if (process.argv[1] === fileURLToPath(import.meta.url)) await serve(app);
