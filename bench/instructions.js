#!/usr/bin/env node
// Instructions per request under valgrind's callgrind (`npm run bench:instructions`): a count
// that does not drift with the machine's load, for comparing two builds of Poor where the VM's
// ±30 % timing noise hides a 5 % change. Each run starts bench/servers/poor.js under callgrind
// with instrumentation off, warms it up, counts user-space instructions over a fixed number of
// requests, and divides. Kernel time (syscalls, loopback TCP) is not counted: this measures
// what the JavaScript and Node do, which is what a code change moves.
//
// Environment: BENCH_BASE=/other/checkout (adds that build, as in run.js), BENCH_SERVERS=
// fastify,node-http (other bench servers, counted the same way), BENCH_SCENARIOS,
// BENCH_REQUESTS (default 8000), BENCH_WARMUP (requests before counting, default BENCH_REQUESTS;
// with 4000 the warm-up still left JIT work in the count),
// BENCH_RUNS (default 2 per build and scenario), BENCH_POOR_SILENT=1 (logger: false on both
// builds, to compare code paths alone), BENCH_MIXED=1 (every scenario served before the one
// counted).
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { SCENARIOS as ALL } from './scenarios.js';

const here = dirname(fileURLToPath(import.meta.url));
const requests = Number(process.env.BENCH_REQUESTS ?? 8000);
const runs = Number(process.env.BENCH_RUNS ?? 2);
const mixed = process.env.BENCH_MIXED === '1';
const warmup = Number(process.env.BENCH_WARMUP ?? requests);
const only = process.env.BENCH_SCENARIOS?.split(',');
// run.js's scenarios that a server answers from memory (no files; a specialist scenario such as
// post-valid only when BENCH_SCENARIOS names it, with its servers in BENCH_SERVERS).
const SCENARIOS = ALL.filter(
  (scenario) => !scenario.length && (!scenario.frameworks || only?.includes(scenario.name)),
).map((scenario) => ({
  ...scenario,
  ...(scenario.send ? { body: scenario.send, headers: { 'content-type': 'application/json' } } : {}),
}));
const scenarios = SCENARIOS.filter((scenario) => !only || only.includes(scenario.name));
// [name, server file, POOR_BUILD]: Poor, the other build, and with BENCH_SERVERS other servers.
const builds = [
  ['poor', 'poor.js', undefined],
  ...(process.env.BENCH_BASE ? [['poor-base', 'poor.js', process.env.BENCH_BASE]] : []),
  ...(process.env.BENCH_SERVERS?.split(',') ?? []).map((name) => [name, `${name}.js`, undefined]),
];

try {
  execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
} catch {
  console.log('valgrind is not installed (Debian: apt-get install valgrind)');
  process.exit(0);
}

const launcher = join(here, 'servers', 'standalone.js');
let port = 19600;

function fire(url, scenario, amount) {
  return new Promise((resolve, reject) =>
    autocannon(
      { url, connections: 4, amount, method: scenario.method ?? 'GET', body: scenario.body, headers: scenario.headers },
      (error, result) => (error ? reject(error) : resolve(result)),
    ),
  );
}

async function count(server, build, scenario) {
  const dir = mkdtempSync(join(os.tmpdir(), 'poor-callgrind-'));
  port += 1;
  const child = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      '--smc-check=all-non-file',
      '--instr-atstart=no',
      `--callgrind-out-file=${join(dir, 'out.%p')}`,
      process.execPath,
      '--single-threaded',
      launcher,
      join(here, 'servers', server),
    ],
    { env: { ...process.env, PORT: String(port), ...(build ? { POOR_BUILD: build } : {}) }, stdio: 'ignore' },
  );
  try {
    const url = `http://127.0.0.1:${port}${scenario.path}`;
    for (let tries = 0; ; tries += 1) {
      try {
        await fetch(`http://127.0.0.1:${port}/hello`).then((reply) => reply.arrayBuffer());
        break;
      } catch (error) {
        if (tries > 600) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    // With BENCH_MIXED=1 the server first serves every scenario, as a server with mixed
    // traffic does (every server then counts about a third fewer: see RESULTS.md).
    for (const other of mixed ? SCENARIOS : []) await fire(`http://127.0.0.1:${port}${other.path}`, other, warmup);
    await fire(url, scenario, warmup);
    execFileSync('callgrind_control', ['-i', 'on', String(child.pid)], { stdio: 'ignore' });
    await fire(url, scenario, requests);
    execFileSync('callgrind_control', ['-i', 'off', String(child.pid)], { stdio: 'ignore' });
    execFileSync('callgrind_control', ['-d', String(child.pid)], { stdio: 'ignore' });
    // The dump is written by the server process on its own time: wait for its totals line.
    for (let tries = 0; tries < 300; tries += 1) {
      let total = 0;
      for (const file of readdirSync(dir)) {
        const found = /^totals: (\d+)/m.exec(readFileSync(join(dir, file), 'utf8'));
        total += found ? Number(found[1]) : 0;
      }
      if (total > 0) return total / requests;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`callgrind wrote no totals in ${dir}`);
  } finally {
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}

const ratios = builds.slice(1).map(([name]) => name);
const rows = [
  `| scenario | ${builds.map(([name]) => `${name} (instructions/request)`).join(' | ')} |${ratios.map((name) => ` poor / ${name} |`).join('')}`,
  `|---|${builds.map(() => '---:').join('|')}|${ratios.map(() => '---:|').join('')}`,
];
for (const scenario of scenarios) {
  const results = builds.map(() => []);
  for (let run = 0; run < runs; run += 1) {
    for (const [index, [name, server, build]] of builds.entries()) {
      results[index].push(await count(server, build, scenario));
      console.error(`${scenario.name} ${name} run ${run + 1}: ${results[index].at(-1).toFixed(0)}`);
    }
  }
  const best = results.map((list) => Math.min(...list));
  const versus = best.slice(1).map((value) => ` ${(best[0] / value).toFixed(3)} |`);
  rows.push(`| ${scenario.name} | ${best.map((value) => value.toFixed(0)).join(' | ')} |${versus.join('')}`);
}
console.log(
  `\n${rows.join('\n')}\n\nThe lowest of ${runs} runs of ${requests} requests after ${warmup} warm-up requests${mixed ? ' of every scenario' : ''}.`,
);
