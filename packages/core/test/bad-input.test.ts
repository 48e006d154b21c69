// Runs the bad-input corpus (./bad-input/corpus.ts) over a raw socket, and through inject()
// where a case can be expressed that way. Every case: the answer class holds, the server
// still answers the next request, no unhandled rejection, no log line at error level (a
// client's mistake is never logged above warn).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Application, digest, FileResponse, hexdigest, PasswordMap, PoorSession } from '../src/index.js';
import { CORPUS, type Case, type Expect } from './bad-input/corpus.js';
import { recordingLogger } from './helpers/transports.js';

interface Outcome {
  statuses: number[];
  timedOut: boolean;
}

/** Writes the bytes, half-closes, and reads until the server closes (5 s at most). */
function sendRaw(port: number, raw: string | Buffer): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      socket.destroy();
    }, 5000);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const statuses = [...text.matchAll(/(?:^|\r\n)HTTP\/1\.[01] (\d{3}) /g)].map((found) => Number(found[1]));
      resolve({ statuses, timedOut });
    });
    socket.write(typeof raw === 'string' ? Buffer.from(raw, 'latin1') : raw, () => socket.end());
  });
}

function holds(expected: Expect, status: number | undefined): boolean {
  if (expected === 'closed-or-4xx') return status === undefined || (status >= 400 && status < 500);
  if (status === undefined) return false;
  if (typeof expected === 'number') return status === expected;
  return status >= expected[0] && status <= expected[1];
}

/** A raw request as inject() options: method, target, headers (repeated ones as lists), body. */
function toInject(raw: string | Buffer): {
  method: string;
  url: string;
  headers: Record<string, string | string[]>;
  body?: Buffer;
} {
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'latin1') : raw;
  const split = bytes.indexOf('\r\n\r\n');
  const [line = '', ...lines] = bytes.subarray(0, split).toString('latin1').split('\r\n');
  const [method = 'GET', url = '/'] = line.split(' ');
  const headers: Record<string, string | string[]> = {};
  for (const header of lines) {
    const colon = header.indexOf(':');
    const name = header.slice(0, colon).trim().toLowerCase();
    if (name === 'content-length' || name === 'host') continue;
    const value = header.slice(colon + 1).trim();
    const present = headers[name];
    headers[name] = present === undefined ? value : [...(Array.isArray(present) ? present : [present]), value];
  }
  const body = bytes.subarray(split + 4);
  return { method, url, headers, ...(body.length > 0 ? { body } : {}) };
}

const users = new PasswordMap().set('Zone', 'alice', hexdigest('alice', 'Zone', 'secret'));

describe(`the bad-input corpus (${CORPUS.length} cases)`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'poor-bad-input-'));
  const file = join(dir, 'file.txt');
  writeFileSync(file, 'x'.repeat(100));
  const log = recordingLogger();
  const app = new Application('bad-input', {
    logger: log,
    secretKey: 'k'.repeat(32),
    authMap: users,
    uploadDir: dir,
    limits: { body: 64 * 1024, fileSize: 32 * 1024, files: 5, fields: 1000, fieldsSize: 64 * 1024, jsonDepth: 256 },
  });
  app.route('/ok', () => 'ok');
  app.route('/echo/<rest:re:.*>', (req) => ({ path: req.path, args: req.args.toJSON() }), '*');
  app.route('/json', (req) => ({ type: typeof req.json }), 'POST');
  app.route('/form', (req) => ({ fields: req.form.size }), 'POST');
  app.route('/upload', (req) => ({ fields: req.form.size }), 'POST');
  app.route('/file', () => new FileResponse(file));
  app.route('/session', (req) => ({ data: new PoorSession(app.secretKey as string).load(req).data }));
  app.route('/private', (req) => `hello ${String(req.user)}`, { before: [digest('Zone')] });
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown): void => {
    rejections.push(reason);
  };
  let port = 0;
  beforeAll(async () => {
    process.on('unhandledRejection', onRejection);
    ({ port } = await app.listen({ port: 0 }));
  });
  afterAll(async () => {
    process.off('unhandledRejection', onRejection);
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const errorLines = (): string[] => log.lines.filter((line) => line.level === 'error').map((line) => line.text);

  it('has at least 150 cases, each with a distinct name', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(150);
    expect(new Set(CORPUS.map((item) => item.name)).size).toBe(CORPUS.length);
  });

  it.each(CORPUS.map((item): [string, Case] => [item.name, item]))('socket: %s', async (_name, item) => {
    const outcome = await sendRaw(port, item.raw);
    expect(outcome.timedOut, 'the server neither answered nor closed').toBe(false);
    expect(holds(item.expect, outcome.statuses[0]), `got ${outcome.statuses.join(', ') || 'no answer'}`).toBe(true);
    expect(
      outcome.statuses.every((status) => status < 500),
      'a 5xx',
    ).toBe(true);
    const next = await sendRaw(port, 'GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(next.statuses).toEqual([200]);
    expect(errorLines()).toEqual([]);
    expect(rejections).toEqual([]);
  });

  const injectable = CORPUS.filter((item) => item.inject);
  it.each(injectable.map((item): [string, Case] => [item.name, item]))('inject: %s', async (_name, item) => {
    const reply = await app.inject(toInject(item.raw));
    expect(holds(item.expect, reply.status), `got ${reply.status}`).toBe(true);
    expect(errorLines()).toEqual([]);
    expect(rejections).toEqual([]);
  });
});
