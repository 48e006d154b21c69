// Shared by every benchmark server: reports its port, CPU time and peak RSS over IPC.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Static routes and as many parameter routes (100 in all, as in find-my-way's bench). */
export const ROUTES = 50;
/** Folder holding `static/1k.txt` and `static/1m.bin` for the static scenarios (set by run.js). */
export const STATIC_DIR = process.env.BENCH_STATIC_DIR;

/** Starts reporting for a listening node:http server. */
export function report(server) {
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 100);
  sampler.unref();
  process.on('message', (message) => {
    if (message === 'stats') {
      peak = Math.max(peak, process.memoryUsage.rss());
      process.send({ type: 'stats', cpu: process.cpuUsage(), rss: process.memoryUsage.rss(), peak });
    } else if (message === 'reset-peak') {
      peak = process.memoryUsage.rss();
      process.send({ type: 'reset' });
    } else if (message === 'exit') {
      server.close();
      process.exit(0);
    }
  });
  process.send({ type: 'ready', port: server.address().port });
}

/**
 * Imports a Poor package: the installed `@poor/<name>`, or with POOR_BUILD (bench/run.js's
 * BENCH_BASE) another checkout's built package, for A/B runs of two builds.
 */
export function importPoor(name) {
  const build = process.env.POOR_BUILD;
  return import(build ? pathToFileURL(join(build, 'packages', name, 'dist', 'index.js')).href : `@poor/${name}`);
}
