// Upload throughput: a 100 MB multipart file through Poor (defaults: parsed before the handler,
// stored in a temporary file) and through formidable used directly on node:http.
// Run with `npm run bench:upload`; BENCH_UPLOAD_MB (default 100), BENCH_ROUNDS (default 3).
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { upload } from '../examples/test/upload-client.js';

const here = dirname(fileURLToPath(import.meta.url));
const size = Number(process.env.BENCH_UPLOAD_MB ?? 100) * 2 ** 20;
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const servers = ['upload-formidable', 'upload-poor'];

interface Stats {
  type: string;
  cpu: NodeJS.CpuUsage;
  peak: number;
  rss: number;
}

function ask(child: ChildProcess, message: string, type: string): Promise<Stats> {
  return new Promise((resolve) => {
    const listener = (data: Stats): void => {
      if (data.type !== type) return;
      child.off('message', listener);
      resolve(data);
    };
    child.on('message', listener);
    child.send(message);
  });
}

async function start(name: string): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(join(here, 'servers', `${name}.js`), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [message] = (await once(child, 'message')) as [{ port: number }];
  return { child, port: message.port };
}

const results = new Map<string, Array<{ mbps: number; cpuMs: number; rssGrowth: number }>>();
const started = new Map<string, { child: ChildProcess; port: number }>();
for (const name of servers) started.set(name, await start(name));
try {
  for (let round = 0; round < rounds; round += 1) {
    const order = round % 2 ? [...servers].reverse() : servers;
    for (const name of order) {
      const { child, port } = started.get(name)!;
      await upload(`http://127.0.0.1:${port}/upload`, 4 << 20, 'multipart'); // warm-up
      await ask(child, 'reset-peak', 'reset');
      const before = await ask(child, 'stats', 'stats');
      const begin = process.hrtime.bigint();
      const result = await upload(`http://127.0.0.1:${port}/upload`, size, 'multipart');
      const seconds = Number(process.hrtime.bigint() - begin) / 1e9;
      const after = await ask(child, 'stats', 'stats');
      if (result.status !== 200 || JSON.parse(result.body).size !== size) {
        throw new Error(`${name}: ${result.status} ${result.body.slice(0, 200)}`);
      }
      const cpuMs = (after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system) / 1000;
      const sample = { mbps: size / 2 ** 20 / seconds, cpuMs, rssGrowth: (after.peak - before.rss) / 2 ** 20 };
      results.set(name, [...(results.get(name) ?? []), sample]);
      console.log(
        `round ${round + 1} ${name.padEnd(18)} ${sample.mbps.toFixed(0).padStart(5)} MB/s  ` +
          `server CPU ${cpuMs.toFixed(0)} ms  RSS growth ${sample.rssGrowth.toFixed(1)} MB`,
      );
    }
  }
} finally {
  for (const { child } of started.values()) {
    child.send('exit');
    await once(child, 'exit');
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const base = median(results.get('upload-formidable')!.map((sample) => sample.mbps));
console.log(
  `\n| ${size / 2 ** 20} MB multipart upload | MB/s | vs formidable | server CPU (ms) | peak RSS growth (MB) |`,
);
console.log('|---|---:|---:|---:|---:|');
for (const [name, samples] of results) {
  const mbps = median(samples.map((sample) => sample.mbps));
  console.log(
    `| ${name} | ${mbps.toFixed(0)} | ${((100 * mbps) / base).toFixed(0)} % | ` +
      `${median(samples.map((sample) => sample.cpuMs)).toFixed(0)} | ${Math.max(...samples.map((sample) => sample.rssGrowth)).toFixed(1)} |`,
  );
}
