#!/usr/bin/env node
// Start-up cost of validation: a 200-operation document (a path parameter, a query parameter
// and a JSON body each) loaded and compiled by @poor/openapi, the same 200 operations written
// code-first on the routes (the document generated, then compiled), next to Fastify compiling
// the same 200 schemas on its routes. Each is timed in a fresh process, from import to ready.
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const OPERATIONS = 200;

function schemaFor(index) {
  return {
    type: 'object',
    required: ['name'],
    additionalProperties: false,
    properties: {
      name: { type: 'string', maxLength: 50 },
      [`field${index}`]: { type: 'integer', minimum: 0 },
      tags: { type: 'array', items: { type: 'string' } },
    },
  };
}

async function poor() {
  const started = performance.now();
  const { Application } = await import('@poor/core');
  const { openapi } = await import('@poor/openapi');
  const paths = {};
  const app = new Application('startup', { logger: false });
  for (let index = 0; index < OPERATIONS; index += 1) {
    paths[`/r${index}/{id}`] = {
      post: {
        parameters: [
          { name: 'id', in: 'path', required: true, schema: { type: 'integer' } },
          { name: 'limit', in: 'query', schema: { type: 'integer', maximum: 100 } },
        ],
        requestBody: { content: { 'application/json': { schema: schemaFor(index) } } },
        responses: { 200: { description: 'ok' } },
      },
    };
    app.route(`/r${index}/<id:int>`, (req) => req.json, 'POST');
  }
  const addOn = openapi({ openapi: '3.1.0', info: { title: 'startup', version: '1' }, paths });
  app.use(addOn);
  await app.ready();
  return { total: performance.now() - started, compile: addOn.compileMillis };
}

async function poorCodeFirst() {
  const started = performance.now();
  const { Application } = await import('@poor/core');
  const { openapi } = await import('@poor/openapi');
  const api = openapi();
  const app = new Application('startup', { logger: false }).use(api);
  for (let index = 0; index < OPERATIONS; index += 1) {
    const spec = {
      params: { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] },
      query: { type: 'object', properties: { limit: { type: 'integer', maximum: 100 } } },
      body: schemaFor(index),
    };
    api.route(`/r${index}/<id:int>`, spec, (req) => req.api.body, 'POST');
  }
  await app.ready();
  return { total: performance.now() - started, compile: api.compileMillis };
}

async function fastify() {
  const started = performance.now();
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: false });
  for (let index = 0; index < OPERATIONS; index += 1) {
    const schema = {
      params: { type: 'object', properties: { id: { type: 'integer' } } },
      querystring: { type: 'object', properties: { limit: { type: 'integer', maximum: 100 } } },
      body: schemaFor(index),
    };
    app.post(`/r${index}/:id`, { schema }, async (req) => req.body);
  }
  await app.ready();
  return { total: performance.now() - started };
}

const which = process.argv[2];
if (which) {
  const result = await (which === 'poor' ? poor() : which === 'poor-code-first' ? poorCodeFirst() : fastify());
  process.stdout.write(JSON.stringify(result));
} else {
  const self = fileURLToPath(import.meta.url);
  const rows = [];
  const labels = {
    poor: 'Poor + @poor/openapi (a document)',
    'poor-code-first': 'Poor + @poor/openapi (code-first routes)',
    fastify: 'Fastify 5 (schema per route)',
  };
  for (const name of ['poor', 'poor-code-first', 'fastify']) {
    const runs = [0, 1, 2].map(() => JSON.parse(execFileSync(process.execPath, [self, name], { encoding: 'utf8' })));
    runs.sort((a, b) => a.total - b.total);
    const middle = runs[1];
    rows.push(
      `| ${labels[name]} | ${middle.total.toFixed(0)} | ${middle.compile === undefined ? '–' : middle.compile.toFixed(0)} |`,
    );
  }
  console.log(`${OPERATIONS} operations, import to ready, median of 3 fresh processes:\n`);
  console.log('| server | ms to ready | of which compiling the document |\n|---|---:|---:|');
  console.log(rows.join('\n'));
}
