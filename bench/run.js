#!/usr/bin/env node
// Side-by-side benchmark: each framework runs in its own process on 127.0.0.1; autocannon
// loads it from this process. Besides req/s and p99 latency it reports the server's CPU time
// per request (the fairer figure on 2 cores, where the load generator competes for CPU) and
// its peak RSS. Writes bench/RESULTS.generated.md.
//
// Environment: BENCH_DURATION (s per run, default 3), BENCH_ROUNDS (default 3),
// BENCH_CONNECTIONS (default 50), BENCH_CLIENT=wrk|autocannon (default wrk when installed),
// BENCH_ONLY=poor,node-http, BENCH_SCENARIOS=hello,json, BENCH_QUICK=1 (1 s smoke run),
// BENCH_PIN=1 (load generator on the first core, servers on the last: every thread, taskset -a),
// BENCH_NO_WRITE=1 (do not write RESULTS.md), BENCH_BASE=/other/checkout (adds `poor-base`: that
// checkout's built packages, run in the same rounds, to compare two builds side by side),
// BENCH_FRESH=1 (a new server process for every run).
import { execFileSync, fork } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { SCENARIOS } from './scenarios.js';

const here = dirname(fileURLToPath(import.meta.url));
const quick = process.env.BENCH_QUICK === '1';
const duration = Number(process.env.BENCH_DURATION ?? (quick ? 1 : 3));
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const warmup = quick ? 0.5 : 1;

const FRAMEWORKS = [
  'node-http',
  'poor',
  ...(process.env.BENCH_BASE ? ['poor-base'] : []),
  'poor-openapi',
  'poor-code-first',
  'fastify',
  'express',
];
// Servers that take part only in the scenarios naming them.
const SPECIALISTS = new Set(['poor-openapi', 'poor-code-first']);

// The static scenarios' files, in a folder every server is told about.
const staticDir = mkdtempSync(join(os.tmpdir(), 'poor-bench-'));
mkdirSync(join(staticDir, 'static'));
writeFileSync(join(staticDir, 'static', '1k.txt'), 'x'.repeat(1023) + '\n');
writeFileSync(join(staticDir, 'static', '1m.bin'), randomBytes(1 << 20));
process.env.BENCH_STATIC_DIR = staticDir;
process.on('exit', () => rmSync(staticDir, { recursive: true, force: true }));

const only = process.env.BENCH_ONLY?.split(',');
const onlyScenarios = process.env.BENCH_SCENARIOS?.split(',');
const frameworks = FRAMEWORKS.filter((name) => !only || only.includes(name));
const scenarios = SCENARIOS.filter((scenario) => !onlyScenarios || onlyScenarios.includes(scenario.name));

function ask(child, message, type) {
  const reply = new Promise((resolve) => {
    const listener = (data) => {
      if (data.type === type) {
        child.off('message', listener);
        resolve(data);
      }
    };
    child.on('message', listener);
  });
  child.send(message);
  return reply;
}

const pin = process.env.BENCH_PIN === '1' && os.cpus().length > 1;
if (pin) execFileSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });

async function start(name) {
  const base = name === 'poor-base';
  const child = fork(join(here, 'servers', base ? 'poor.js' : `${name}.js`), {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: base ? { ...process.env, POOR_BUILD: process.env.BENCH_BASE } : process.env,
  });
  if (pin)
    execFileSync('taskset', ['-a', '-p', '-c', String(os.cpus().length - 1), String(child.pid)], { stdio: 'ignore' });
  const ready = new Promise((resolve, reject) => {
    child.once('message', (message) =>
      message.type === 'ready' ? resolve(message.port) : reject(new Error(String(message))),
    );
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
  });
  return { child, port: await ready };
}

// BENCH_FRESH=1: a new process for every run. One process keeps its own speed for a whole
// run (why was not found): two processes of the same code differed by 20-30 % in every
// round, which paired rounds cannot remove but fresh processes average out (bench/RESULTS.md).
const fresh = process.env.BENCH_FRESH === '1';

async function restart(name, old) {
  old.child.send('exit');
  await once(old.child, 'exit');
  return start(name);
}

const client =
  process.env.BENCH_CLIENT ??
  (() => {
    try {
      execFileSync('wrk', ['--version'], { stdio: 'ignore' });
      return 'wrk';
    } catch (error) {
      return error.status === 1 ? 'wrk' : 'autocannon'; // wrk --version exits with 1
    }
  })();

/** The status a framework is expected to answer a scenario with. */
function statusOf(scenario, name) {
  const status = scenario.status;
  if (typeof status === 'number') return status;
  return status[name.replace(/-base$/, '')] ?? status.default;
}

// wrk's request script for scenarios with a method or body other than GET.
const scripts = new Map();
function scriptFor(scenario) {
  if (!scenario.method) return undefined;
  let file = scripts.get(scenario.name);
  if (!file) {
    file = join(staticDir, `${scenario.name}.lua`);
    const lines = [`wrk.method = ${JSON.stringify(scenario.method)}`];
    if (scenario.send) {
      lines.push(`wrk.body = ${JSON.stringify(scenario.send)}`, `wrk.headers["Content-Type"] = "application/json"`);
    }
    writeFileSync(file, lines.join('\n') + '\n');
    scripts.set(scenario.name, file);
  }
  return file;
}

/** Loads a server for `seconds`: { total, expected (answers with the scenario's status), errors, p99 }. */
function load(port, scenario, seconds, name) {
  const status = statusOf(scenario, name);
  const url = `http://127.0.0.1:${port}${scenario.path}`;
  if (client === 'wrk') {
    const script = scriptFor(scenario);
    const args = [
      '-t1',
      `-c${connections}`,
      `-d${Math.max(1, Math.round(seconds))}s`,
      '--latency',
      ...(script ? ['-s', script] : []),
      url,
    ];
    const output = execFileSync('wrk', args, { encoding: 'utf8' });
    const total = Number(/(\d+) requests in/.exec(output)?.[1] ?? NaN);
    const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0);
    const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
    const errors = socket ? socket.slice(1).reduce((sum, value) => sum + Number(value), 0) : 0;
    const p99 = /99%\s+([\d.]+)(us|ms|s)/.exec(output);
    const unit = { us: 0.001, ms: 1, s: 1000 };
    return {
      total,
      expected: status < 300 ? total - non2xx : non2xx,
      errors,
      p99: p99 ? Number((Number(p99[1]) * unit[p99[2]]).toFixed(1)) : NaN,
    };
  }
  const request = {
    method: scenario.method,
    ...(scenario.send ? { body: scenario.send, headers: { 'content-type': 'application/json' } } : {}),
  };
  return new Promise((resolve, reject) => {
    autocannon({ url, connections, duration: seconds, pipelining: 1, ...request }, (error, result) =>
      error
        ? reject(error)
        : resolve({
            total: result.requests.total,
            expected: status < 300 ? result['2xx'] : result.non2xx,
            errors: result.errors + result.timeouts,
            p99: result.latency.p99,
          }),
    );
  });
}

async function check(port, scenario, name) {
  const reply = await fetch(`http://127.0.0.1:${port}${scenario.path}`, {
    method: scenario.method ?? 'GET',
    body: scenario.send,
    headers: scenario.send ? { 'content-type': 'application/json' } : {},
  });
  const bytes = Buffer.from(await reply.arrayBuffer());
  const text = bytes.toString('utf8');
  if (
    reply.status !== statusOf(scenario, name) ||
    (scenario.body !== undefined && text !== scenario.body) ||
    (scenario.length !== undefined && bytes.length !== scenario.length)
  ) {
    throw new Error(`${name} answers ${scenario.path} wrongly: ${reply.status} ${text.slice(0, 80)}`);
  }
}

const rounds = Number(process.env.BENCH_ROUNDS ?? (quick ? 1 : 3));
const samples = new Map();

async function measure(name, child, port, scenario) {
  await check(port, scenario, name);
  await load(port, scenario, warmup, name);
  await ask(child, 'reset-peak', 'reset');
  const before = await ask(child, 'stats', 'stats');
  const result = await load(port, scenario, duration, name);
  const after = await ask(child, 'stats', 'stats');
  const total = result.total;
  if (result.errors || result.expected !== total) {
    throw new Error(`${name}/${scenario.name}: ${result.errors} errors, ${result.expected}/${total} expected statuses`);
  }
  const cpu = after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system;
  return { rps: total / duration, p99: result.p99, cpuPerRequest: cpu / total, peakRss: after.peak / 2 ** 20 };
}

// All servers stay up for the whole run (an idle server costs nothing). For each scenario,
// the frameworks take turns, round after round, in a rotating order: runs that are compared
// happen seconds apart, so slow drifts of a shared machine hit them all alike. The table
// reports medians.
const servers = new Map();
for (const name of frameworks) {
  try {
    servers.set(name, await start(name));
  } catch (error) {
    console.log(`skipped ${name}: ${error.message} (is @poor/core built? npm run build)`);
  }
}
try {
  for (const scenario of scenarios) {
    for (let round = 0; round < rounds; round += 1) {
      const names = [...servers.keys()].filter((name) =>
        scenario.frameworks ? scenario.frameworks.includes(name) : !SPECIALISTS.has(name),
      );
      const order = names.map((_, index) => names[(index + round) % names.length]);
      for (const name of order) {
        if (fresh) servers.set(name, await restart(name, servers.get(name)));
        const { child, port } = servers.get(name);
        const sample = await measure(name, child, port, scenario);
        const key = `${scenario.name}/${name}`;
        samples.set(key, [...(samples.get(key) ?? []), sample]);
        console.log(
          `round ${round + 1} ${scenario.name.padEnd(9)} ${name.padEnd(10)} ${sample.rps.toFixed(0).padStart(7)} req/s  ` +
            `p99 ${String(sample.p99).padStart(3)} ms  ${sample.cpuPerRequest.toFixed(1).padStart(6)} µs CPU/req  ${sample.peakRss.toFixed(1)} MB`,
        );
      }
    }
  }
} finally {
  for (const { child } of servers.values()) {
    child.send('exit');
    await once(child, 'exit');
  }
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const results = [];
for (const scenario of scenarios) {
  for (const name of frameworks) {
    const list = samples.get(`${scenario.name}/${name}`);
    if (!list) continue;
    results.push({
      scenario: scenario.name,
      framework: name,
      rps: median(list.map((item) => item.rps)),
      p99: median(list.map((item) => item.p99)),
      cpuPerRequest: median(list.map((item) => item.cpuPerRequest)),
      peakRss: Math.max(...list.map((item) => item.peakRss)),
    });
  }
}

function table() {
  const lines = [
    '| scenario | framework | req/s | vs node:http | p99 (ms) | server CPU µs/req | vs node:http | peak RSS (MB) |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const result of results) {
    const base = results.find((item) => item.scenario === result.scenario && item.framework === 'node-http');
    const rps = base ? `${((result.rps / base.rps) * 100).toFixed(0)} %` : '–';
    const cpu = base ? `${(result.cpuPerRequest / base.cpuPerRequest).toFixed(2)}×` : '–';
    lines.push(
      `| ${result.scenario} | ${result.framework} | ${result.rps.toFixed(0)} | ${rps} | ${Number(result.p99.toFixed(1))} | ${result.cpuPerRequest.toFixed(1)} | ${cpu} | ${result.peakRss.toFixed(1)} |`,
    );
  }
  return lines.join('\n');
}

// Paired rounds: in how many rounds each Poor build used less CPU per request than Fastify
// (and than the other build), and its per-round CPU ratio to node:http (median).
function paired() {
  const lines = [
    '| scenario | server | rounds below Fastify | CPU ratio to node:http (median of rounds) | rounds below poor-base | rounds below poor-openapi (the document-first route) |',
    '|---|---|---:|---:|---:|---:|',
  ];
  for (const scenario of scenarios) {
    for (const name of ['poor', 'poor-base', 'poor-openapi', 'poor-code-first']) {
      const mine = samples.get(`${scenario.name}/${name}`);
      if (!mine) continue;
      const count = (other) => {
        const theirs = samples.get(`${scenario.name}/${other}`);
        if (!theirs || other === name) return '–';
        const won = mine.filter((sample, round) => sample.cpuPerRequest < theirs[round].cpuPerRequest).length;
        return `${won}/${mine.length}`;
      };
      const base = samples.get(`${scenario.name}/node-http`);
      const ratio = base
        ? `${median(mine.map((sample, round) => sample.cpuPerRequest / base[round].cpuPerRequest)).toFixed(2)}×`
        : '–';
      lines.push(
        `| ${scenario.name} | ${name} | ${count('fastify')} | ${ratio} | ${count('poor-base')} | ${count('poor-openapi')} |`,
      );
    }
  }
  return lines.join('\n');
}

const output = `${table()}\n\n${paired()}`;
console.log(`\n${output}`);
if (process.env.BENCH_NO_WRITE !== '1' && results.length > 0) {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const header = [
    '# Benchmark results',
    '',
    `- Date: ${new Date().toISOString()}`,
    `- Machine: ${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()}`,
    `- Node.js ${process.version}; ${client}, ${connections} connections${pin ? ', load generator and servers pinned to separate cores' : ''}, ${duration} s per run after ${warmup} s warm-up, ${rounds} rounds (medians; peak RSS is the maximum)`,
    '- Each server runs alone in its own process; the load generator runs in another.',
    '',
    output,
    '',
  ].join('\n');
  writeFileSync(join(here, 'RESULTS.generated.md'), header);
  console.log('\nwrote bench/RESULTS.generated.md');
}
