// The HTTP scenarios every bench script loads servers with (bench/servers/*.js answer them).
import { ORDER } from './servers/order.js';

/**
 * name, request (path, method, `send` body), expected answer (status — a number or per
 * framework —, body or length) and, for some, the only `frameworks` that take part.
 */
export const SCENARIOS = [
  { name: 'hello', path: '/hello', status: 200, body: 'Hello world' },
  { name: 'json', path: '/json', status: 200, body: '{"hello":"world","n":[1,2,3]}' },
  { name: 'param', path: '/r37/items/42', status: 200, body: '{"id":42}' },
  { name: '404', path: '/nope/does-not-exist', status: 404 },
  // A method the path does not take: 405 with Allow (Fastify and Express answer 404).
  { name: '405', path: '/hello', method: 'DELETE', status: { default: 405, fastify: 404, express: 404 } },
  // Issue 11's "POST JSON 1 KB": the 985-byte order of post-valid, echoed without a schema.
  { name: 'post-json', path: '/echo', status: 200, method: 'POST', body: ORDER, send: ORDER },
  { name: 'static-1k', path: '/static/1k.txt', status: 200, length: 1024 },
  { name: 'static-1m', path: '/static/1m.bin', status: 200, length: 1 << 20 },
  // A ~1 KB JSON body validated against a schema (Fastify's schema.body, @poor/openapi with a
  // hand-written document and with the schema on the route), and the same route without
  // validation in plain Poor.
  {
    name: 'post-valid',
    path: '/validated',
    status: 200,
    method: 'POST',
    body: ORDER,
    send: ORDER,
    frameworks: ['poor', 'poor-openapi', 'poor-code-first', 'fastify'],
  },
];
