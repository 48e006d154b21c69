#!/usr/bin/env node
// Scaling with cores (`npm run bench:cluster`): the same Poor app with 1 and with 2
// node:cluster workers, loaded by wrk (2 threads, 100 connections) in alternating rounds.
// On a 2-core machine the load generator shares the cores with the workers, so the ratio is a
// floor of what a machine with spare cores gets.
import { execFileSync, fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const rounds = Number(process.env.BENCH_ROUNDS ?? 4);
const seconds = Number(process.env.BENCH_DURATION ?? 5);
const paths = ['/hello', '/json'];

async function start(workers, port) {
  const child = fork(join(here, 'servers', 'cluster-poor.js'), {
    env: { ...process.env, WORKERS: String(workers), PORT: String(port) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`cluster exited with ${code}`)));
  });
  return child;
}

function load(port, path, duration) {
  const output = execFileSync('wrk', ['-t2', '-c100', `-d${duration}s`, `http://127.0.0.1:${port}${path}`], {
    encoding: 'utf8',
  });
  return Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1]);
}

const ports = { 1: 19501, 2: 19502 };
const servers = [await start(1, ports[1]), await start(2, ports[2])];
const rows = [
  '| path | 1 worker (req/s, median) | 2 workers (req/s, median) | ratio (median of rounds) |',
  '|---|---:|---:|---:|',
];
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
try {
  for (const path of paths) {
    const samples = { 1: [], 2: [] };
    for (const workers of [1, 2]) load(ports[workers], path, 1); // warm-up
    for (let round = 0; round < rounds; round += 1) {
      for (const workers of round % 2 ? [2, 1] : [1, 2]) samples[workers].push(load(ports[workers], path, seconds));
      console.error(`round ${round + 1} ${path}: 1 worker ${samples[1].at(-1)}, 2 workers ${samples[2].at(-1)} req/s`);
    }
    const ratio = median(samples[2].map((value, round) => value / samples[1][round]));
    rows.push(
      `| ${path} | ${median(samples[1]).toFixed(0)} | ${median(samples[2]).toFixed(0)} | ${ratio.toFixed(2)}× |`,
    );
  }
} finally {
  for (const child of servers) child.kill('SIGTERM');
}
console.log(`\n${rows.join('\n')}`);
