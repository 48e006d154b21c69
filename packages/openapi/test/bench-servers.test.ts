// The benchmark's validated routes answer as they must, so its figures compare like with like:
// bench/servers/poor-openapi.js (a hand-written document) and poor-code-first.js (the schema on
// the route) each started as bench/run.js starts them (a forked process reporting its port
// over IPC); both echo the order, refuse a broken one with 400, and take the same time path.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- the bench's plain JavaScript module has no declarations
import { ORDER } from '../../../bench/servers/order.js';

const servers = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bench', 'servers');
const started: ChildProcess[] = [];
afterAll(async () => {
  for (const child of started) {
    if (child.exitCode !== null) continue;
    child.send('exit');
    await once(child, 'exit');
  }
});

/** Forks a bench server; resolves with its base URL once it reports ready (or says what it saw). */
async function start(name: string): Promise<string> {
  const child = fork(join(servers, `${name}.js`), { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  started.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const ready = new Promise<{ port: number }>((resolve, reject) => {
    child.on('message', (message: { type?: string; port?: number }) => {
      if (message.type === 'ready') resolve(message as { port: number });
    });
    child.once('exit', (code) => reject(new Error(`bench server ${name} exited (${String(code)}): ${output}`)));
  });
  const { port } = await ready;
  return `http://127.0.0.1:${port}`;
}

describe('the benchmark servers of post-valid', () => {
  for (const name of ['poor-openapi', 'poor-code-first']) {
    it(`${name} echoes a valid order and refuses a broken one with 400`, { timeout: 30_000 }, async () => {
      const base = await start(name);
      const post = (body: string): Promise<Response> =>
        fetch(`${base}/validated`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const valid = await post(ORDER as string);
      expect(valid.status).toBe(200);
      expect(await valid.json()).toEqual(JSON.parse(ORDER as string));
      const broken = JSON.parse(ORDER as string) as Record<string, unknown>;
      broken.unexpected = true; // additionalProperties: false
      const refused = await post(JSON.stringify(broken));
      expect([refused.status, refused.headers.get('content-type')]).toEqual([400, 'application/problem+json']);
    });
  }
});
