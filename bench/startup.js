#!/usr/bin/env node
// Start-up: time from spawning `node app.js` to the first answered request (`npm run
// bench:startup`). Each case runs in fresh processes, one at a time; the table gives the median
// and the spread. Cases: the `simple` example as `npm start` runs it (tsx compiles it on the
// fly), Poor and Fastify with 1 000 routes and with one, and plain node:http as the floor.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const runs = Number(process.env.BENCH_RUNS ?? 7);
const tsx = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');

const CASES = [
  { name: '`simple` example (tsx, as `npm start`)', args: [tsx, join(root, 'examples', 'simple.ts')], path: '/' },
  {
    name: 'Poor, 1 000 routes (node)',
    args: [join(here, 'servers', 'many-poor.js')],
    path: '/',
    env: { ROUTES_N: '1000' },
  },
  {
    name: 'Fastify 5, 1 000 routes (node)',
    args: [join(here, 'servers', 'many-fastify.js')],
    path: '/',
    env: { ROUTES_N: '1000' },
  },
  { name: 'Poor, 1 route (node)', args: [join(here, 'servers', 'many-poor.js')], path: '/', env: { ROUTES_N: '0' } },
  {
    name: 'Fastify 5, 1 route (node)',
    args: [join(here, 'servers', 'many-fastify.js')],
    path: '/',
    env: { ROUTES_N: '0' },
  },
  {
    name: 'plain `node -e` with node:http',
    args: ['-e', "require('http').createServer((q,s)=>s.end('ready')).listen(process.env.PORT,'127.0.0.1')"],
    path: '/',
  },
];

async function once(item, port) {
  const started = performance.now();
  const child = spawn(process.execPath, item.args, {
    cwd: root,
    env: { ...process.env, ...item.env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    for (;;) {
      try {
        const reply = await fetch(`http://127.0.0.1:${port}${item.path}`);
        await reply.arrayBuffer();
        if (reply.ok) return performance.now() - started;
      } catch {
        // not listening yet
      }
      if (child.exitCode !== null) throw new Error(`${item.name} exited with ${child.exitCode}`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  } finally {
    child.kill('SIGKILL');
    await new Promise((resolve) =>
      child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', resolve),
    );
  }
}

const rows = ['| app | first answer (ms, median) | min–max |', '|---|---:|---:|'];
let port = 19400;
for (const item of CASES) {
  const times = [];
  for (let run = 0; run < runs; run += 1) times.push(await once(item, (port += 1)));
  times.sort((a, b) => a - b);
  rows.push(
    `| ${item.name} | ${times[Math.floor(times.length / 2)].toFixed(0)} | ${times[0].toFixed(0)}–${times.at(-1).toFixed(0)} |`,
  );
  console.error(rows.at(-1));
}
console.log(`\n${rows.join('\n')}`);
