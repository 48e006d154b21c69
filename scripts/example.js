#!/usr/bin/env node
// `npm run example -- <name>` runs examples/<name>.ts with tsx; without a valid name it lists them.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const examples = join(root, 'examples');
const available = readdirSync(examples)
  .filter((name) => name.endsWith('.ts') && name !== 'serve.ts')
  .map((name) => name.slice(0, -3))
  .sort();
const name = process.argv[2];

if (!name || !available.includes(name)) {
  if (name) console.error(`unknown example: ${name}`);
  console.error(`usage: npm run example -- <name>\navailable: ${available.join(', ')}`);
  process.exit(2);
}

const tsx = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
if (!existsSync(tsx)) {
  console.error('tsx is not installed: run npm install first');
  process.exit(2);
}
const child = spawn(process.execPath, [tsx, join(examples, `${name}.ts`), ...process.argv.slice(3)], {
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
