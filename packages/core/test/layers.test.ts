// The folders of packages/core/src are layers (ARCHITECTURE.md, "Folders of @poor/core"): a
// file imports only from its own folder and the folders above it in LAYERS, type-only imports
// included, so no import circle can form and the tree shows the architecture (issue 24).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');
/** Bottom first: each may import from itself and the ones before it. */
const LAYERS = [
  'http',
  'response',
  'settings',
  'request',
  'routing',
  'decorators',
  'auth',
  'pages',
  'lifecycle',
  'app',
  'addons',
  'bin',
  '.', // index.ts
];

const files = (readdirSync(SRC, { recursive: true }) as string[])
  .filter((name) => name.endsWith('.ts'))
  .map((name) => join(SRC, name));

/** Relative imports (value and type-only) of a source file, as absolute .ts paths. */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles
    .map((entry) => entry.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => resolve(dirname(file), name.replace(/\.js$/, '.ts')));
}

const graph = new Map(files.map((file) => [file, importsOf(file)]));
const layerOf = (file: string): string => dirname(relative(SRC, file)).split('/')[0] as string;
const name = (file: string): string => relative(SRC, file);

describe('the layers of @poor/core', () => {
  it('puts every source file in a known layer', () => {
    expect(files.filter((file) => !LAYERS.includes(layerOf(file))).map(name)).toEqual([]);
  });

  it('imports only from the same layer or the layers below it', () => {
    const upward: string[] = [];
    for (const [file, imports] of graph) {
      const own = LAYERS.indexOf(layerOf(file));
      for (const target of imports) {
        if (LAYERS.indexOf(layerOf(target)) > own) upward.push(`${name(file)} -> ${name(target)}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('has no import circle, type-only imports included', () => {
    const circles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]): void => {
      state.set(file, 'open');
      for (const target of graph.get(file) ?? []) {
        if (state.get(target) === 'open') circles.push([...path, file, target].map(name).join(' -> '));
        else if (!state.has(target) && graph.has(target)) visit(target, [...path, file]);
      }
      state.set(file, 'done');
    };
    for (const file of files) if (!state.has(file)) visit(file, []);
    expect(circles).toEqual([]);
  });

  it('is the tree ARCHITECTURE.md lists, folder by folder', () => {
    const architecture = readFileSync(resolve(SRC, '../../../ARCHITECTURE.md'), 'utf8');
    const listed = new Set<string>();
    for (const row of architecture.matchAll(/^\| `(\w+)\/` \| ([^|]+) \|/gm)) {
      for (const file of (row[2] as string).matchAll(/`([\w-]+\.ts)`/g)) listed.add(`${row[1]}/${file[1]}`);
    }
    const tree = files.map(name).filter((file) => file.includes('/'));
    expect([...listed].sort()).toEqual(tree.sort());
  });

  it('keeps every source file under 400 lines', () => {
    const long = files.filter((file) => readFileSync(file, 'utf8').split('\n').length > 400).map(name);
    expect(long).toEqual([]);
  });
});
