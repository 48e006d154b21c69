#!/usr/bin/env node
// Websocket echo: N clients each keep one 64-byte message in flight (send, wait for the echo,
// send again) against a raw `ws` server and against Poor's @poor/ws, rounds alternating.
// Reports messages per second and server CPU µs per message. `npm run bench:ws`;
// BENCH_WS_CLIENTS (default 50), BENCH_DURATION (s, default 3), BENCH_ROUNDS (default 3).
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';

const here = dirname(fileURLToPath(import.meta.url));
const clients = Number(process.env.BENCH_WS_CLIENTS ?? 50);
const duration = Number(process.env.BENCH_DURATION ?? 3);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const servers = ['ws-raw', 'ws-poor'];
const payload = 'x'.repeat(64);

function ask(child, message, type) {
  return new Promise((resolve) => {
    const listener = (data) => {
      if (data.type !== type) return;
      child.off('message', listener);
      resolve(data);
    };
    child.on('message', listener);
    child.send(message);
  });
}

async function start(name) {
  const child = fork(join(here, 'servers', `${name}.js`), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [message] = await once(child, 'message');
  return { child, port: message.port };
}

async function run(port, seconds) {
  const sockets = await Promise.all(
    Array.from({ length: clients }, async () => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/echo`);
      await once(ws, 'open');
      return ws;
    }),
  );
  let count = 0;
  let running = true;
  for (const ws of sockets) {
    ws.on('message', (data) => {
      if (String(data) !== payload) throw new Error('wrong echo');
      count += 1;
      if (running) ws.send(payload);
    });
    ws.send(payload);
  }
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  running = false;
  const total = count;
  await Promise.all(sockets.map((ws) => (ws.close(), once(ws, 'close'))));
  return total;
}

const samples = new Map();
const started = new Map();
for (const name of servers) started.set(name, await start(name));
try {
  for (let round = 0; round < rounds; round += 1) {
    for (const name of round % 2 ? [...servers].reverse() : servers) {
      const { child, port } = started.get(name);
      await run(port, 0.5); // warm-up
      const before = await ask(child, 'stats', 'stats');
      const total = await run(port, duration);
      const after = await ask(child, 'stats', 'stats');
      const cpu = after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system;
      const sample = { rate: total / duration, cpuPerMessage: cpu / total };
      samples.set(name, [...(samples.get(name) ?? []), sample]);
      console.log(
        `round ${round + 1} ${name.padEnd(8)} ${sample.rate.toFixed(0).padStart(7)} msg/s  ${sample.cpuPerMessage.toFixed(1)} µs CPU/msg`,
      );
    }
  }
} finally {
  for (const { child } of started.values()) {
    child.send('exit');
    await once(child, 'exit');
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const base = median(samples.get('ws-raw').map((sample) => sample.rate));
console.log(`\n| websocket echo (${clients} clients, 64 B) | msg/s | vs raw ws | server CPU µs/msg |`);
console.log('|---|---:|---:|---:|');
for (const [name, list] of samples) {
  const rate = median(list.map((sample) => sample.rate));
  console.log(
    `| ${name} | ${rate.toFixed(0)} | ${((100 * rate) / base).toFixed(0)} % | ${median(list.map((sample) => sample.cpuPerMessage)).toFixed(1)} |`,
  );
}
