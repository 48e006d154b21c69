#!/usr/bin/env node
// create-poor: `npm create poor@latest <name>` scaffolds a Poor project. Asks what it is not
// told (on a terminal), takes every default with --yes, and never writes into a folder that
// has files.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { stdin, stdout } from 'node:process';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { projectFiles, type Choices } from './templates.js';

const USAGE = `usage: npm create poor@latest [folder] -- [options]

  --yes        take every default, ask nothing
  --static     serve public/ with @poor/static
  --ws         a websocket route with @poor/ws
  --openapi    schemas on routes: validation, /openapi.json and a /docs page (@poor/openapi)
  --sessions   req.session with the sessions() add-on
  --legacy     legacy experimentalDecorators (default: TC39 standard decorators)
  --help       this text`;

const PARTS = ['static', 'ws', 'openapi', 'sessions'] as const;
const QUESTIONS: Record<(typeof PARTS)[number] | 'legacy', string> = {
  static: 'Serve static files from public/ (@poor/static)?',
  ws: 'A websocket route (@poor/ws)?',
  openapi: 'Schemas on routes, an OpenAPI document and a docs page (@poor/openapi)?',
  sessions: 'Cookie sessions (req.session)?',
  legacy: 'Legacy experimentalDecorators instead of standard decorators?',
};
/** npm's rule for a package name (lower case, URL-safe, at most 214 characters), without a scope. */
const PACKAGE_NAME = /^[a-z0-9~-][a-z0-9._~-]{0,213}$/;

class UsageError extends Error {}

/** The Node.js version this runs on, as [major, minor]. */
function nodeVersion(): [number, number] {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  return [major, minor];
}

/** This package's version: the `@poor/*` packages of the same release go into the project. */
function ownVersion(): string {
  const file = new URL('../package.json', import.meta.url); // a URL: a path with spaces stays a path
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

async function choose(argv: string[]): Promise<{ folder: string; choices: Choices } | undefined> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      yes: { type: 'boolean', short: 'y' },
      help: { type: 'boolean', short: 'h' },
      legacy: { type: 'boolean' },
      ...Object.fromEntries(PARTS.map((part) => [part, { type: 'boolean' as const }])),
    },
  });
  if (values.help) {
    console.log(USAGE);
    return undefined;
  }
  if (positionals.length > 1) throw new UsageError(`one folder, not ${positionals.length}: ${positionals.join(' ')}`);
  const given = values as Partial<Record<keyof typeof QUESTIONS, boolean>>;
  // Ask only on a terminal and without --yes; what a flag says is not asked.
  const ask = values.yes !== true && stdin.isTTY === true;
  const prompt = ask ? createInterface({ input: stdin, output: stdout }) : undefined;
  try {
    let folder = positionals[0];
    if (folder === undefined && prompt !== undefined)
      folder = (await prompt.question('Project folder (poor-app): ')).trim();
    folder = folder || 'poor-app';
    const choices: Choices = {
      name: basename(resolve(folder)),
      static: false,
      ws: false,
      openapi: false,
      sessions: false,
      legacy: false,
    };
    for (const key of [...PARTS, 'legacy'] as const) {
      const flag = given[key];
      if (flag !== undefined) choices[key] = flag;
      else if (prompt !== undefined)
        choices[key] = /^y(es)?$/i.test((await prompt.question(`${QUESTIONS[key]} (y/N) `)).trim());
    }
    return { folder, choices };
  } finally {
    prompt?.close();
  }
}

/** Writes the project; returns the files written. */
function scaffold(folder: string, choices: Choices): string[] {
  if (!PACKAGE_NAME.test(choices.name))
    throw new UsageError(
      `"${choices.name}" is not a package name: use lower-case letters, digits, '-', '.', '_' or '~'`,
    );
  const target = resolve(folder);
  if (existsSync(target) && readdirSync(target).length > 0) throw new UsageError(`${folder} exists and is not empty`);
  const files = projectFiles(choices, { poor: ownVersion(), node: nodeVersion() }, randomBytes(32).toString('hex'));
  for (const [path, text] of files) {
    mkdirSync(dirname(join(target, path)), { recursive: true });
    writeFileSync(join(target, path), text);
  }
  return files.map(([path]) => path);
}

async function main(): Promise<void> {
  const chosen = await choose(process.argv.slice(2));
  if (chosen === undefined) return;
  const { folder, choices } = chosen;
  const files = scaffold(folder, choices);
  const parts = PARTS.filter((part) => choices[part]);
  const where = relative(process.cwd(), resolve(folder)) || '.';
  console.log(
    `Created ${choices.name} in ${where}: ${files.length} files, ${choices.legacy ? 'legacy' : 'standard'} decorators` +
      (parts.length > 0 ? `, with ${parts.join(', ')}` : '') +
      '.',
  );
  console.log(`\nNext:\n  cd ${where}\n  npm install\n  npm test\n  npm run dev`);
}

main().catch((error: unknown) => {
  const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
  console.error(`create-poor: ${(error as Error).message}${usage ? `\n\n${USAGE}` : ''}`);
  process.exitCode = 1;
});
