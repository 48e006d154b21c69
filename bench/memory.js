#!/usr/bin/env node
// What each module costs in memory at import: `npm run bench:memory`. Each line runs in a fresh
// process that first imports node:http (every server has it), then the module alone; the
// figures are the growth of RSS and of the used heap after a full GC. The last lines start an
// app and answer one request, to show what the first request loads on demand.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(import.meta.url);
const MODULES = process.env.MODULES
  ? process.env.MODULES.split(',')
  : [
      'reflect-metadata',
      'mime',
      'formidable',
      'ws',
      'node:inspector',
      '@poor/core',
      '@poor/static',
      '@poor/ws',
      '@poor/openapi',
      'fastify',
    ];

if (process.argv[2] === '--child') {
  const mb = (bytes) => bytes / 2 ** 20;
  await import('node:http');
  globalThis.gc();
  const before = process.memoryUsage();
  const target = process.argv[3];
  if (target.startsWith('app:')) {
    const { Application } = await import('@poor/core');
    const app = new Application('memory');
    app.route('/', () => 'hello');
    if (target === 'app:json') app.route('/echo', (req) => req.json, 'POST');
    const reply = await app.inject(
      target === 'app:json'
        ? { method: 'POST', url: '/echo', body: '{"a":1}', headers: { 'content-type': 'application/json' } }
        : { url: '/' },
    );
    if (reply.status !== 200) throw new Error(`${target}: ${reply.status}`);
  } else {
    await import(target);
  }
  globalThis.gc();
  const after = process.memoryUsage();
  process.stdout.write(JSON.stringify({ rss: mb(after.rss - before.rss), heap: mb(after.heapUsed - before.heapUsed) }));
} else {
  const rows = ['| module | RSS (MB) | heap used (MB) |', '|---|---:|---:|'];
  for (const target of [...MODULES, 'app:hello', 'app:json']) {
    const runs = [0, 1, 2].map(() =>
      JSON.parse(execFileSync(process.execPath, ['--expose-gc', here, '--child', target], { encoding: 'utf8' })),
    );
    const median = (key) =>
      runs
        .map((run) => run[key])
        .sort((a, b) => a - b)[1]
        .toFixed(1);
    rows.push(
      `| ${target.startsWith('app:') ? `\`@poor/core\`, an app answering one ${target === 'app:json' ? 'POST JSON' : 'GET'}` : `\`${target}\``} | ${median('rss')} | ${median('heap')} |`,
    );
  }
  console.log(rows.join('\n'));
}
