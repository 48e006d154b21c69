// @poor/vitest's decorators(): TypeScript compiled by esbuild in the mode tsconfig.json names,
// so vitest loads decorated controllers under Vite 8 (whose Oxc keeps decorators as written).
// The packaging test runs it under the newest vitest and Vite; here, the transform itself, and
// a vitest process of this repository loading a controller through the plugin.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { decorators, type DecoratorsOptions } from '../src/index.js';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'poor-vitest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SOURCE = `function tag(value: unknown, ...rest: unknown[]): any {
  const context = rest[0] as { kind?: string } | undefined;
  calls.push(typeof context === 'object' && context !== null && 'kind' in context ? 'standard' : 'legacy');
  return rest.length === 2 ? rest[1] : value;
}
export const calls: string[] = [];
export class Thing {
  @tag
  hello(name: string): string { return 'hi ' + name; }
}
`;

/** The plugin's output for SOURCE, imported as a module: which decorator mode ran, and the method's answer. */
async function compileAndRun(
  tsconfig: string | undefined,
  options: DecoratorsOptions = {},
): Promise<[string[], string]> {
  const root = mkdtempSync(join(dir, 'root-'));
  if (tsconfig !== undefined) writeFileSync(join(root, 'tsconfig.json'), tsconfig);
  const plugin = decorators(options);
  plugin.configResolved({ root });
  const out = await plugin.transform(SOURCE, join(root, 'thing.ts?v=1'));
  if (out === null) throw new Error('the plugin left a TypeScript file alone');
  expect(JSON.parse(out.map)).toMatchObject({ version: 3, sources: [expect.stringContaining('thing.ts')] });
  const file = join(root, 'thing.mjs');
  writeFileSync(file, out.code);
  const module = (await import(pathToFileURL(file).href)) as {
    calls: string[];
    Thing: new () => { hello(n: string): string };
  };
  return [module.calls, new module.Thing().hello('ann')];
}

describe('decorators()', () => {
  it('turns Vite’s own TypeScript transform off and runs before the others', () => {
    const plugin = decorators();
    expect([plugin.name, plugin.enforce, plugin.config()]).toEqual([
      '@poor/vitest:decorators',
      'pre',
      { oxc: false, esbuild: false },
    ]);
  });

  it('lowers TC39 standard decorators when tsconfig.json says nothing, or there is none', async () => {
    expect(await compileAndRun('{ "compilerOptions": { "strict": true } }')).toEqual([['standard'], 'hi ann']);
    expect(await compileAndRun(undefined)).toEqual([['standard'], 'hi ann']);
  });

  it('lowers legacy decorators when tsconfig.json (with comments and trailing commas) sets experimentalDecorators', async () => {
    const tsconfig = '{\n  // legacy mode\n  "compilerOptions": { "experimentalDecorators": true, },\n}\n';
    expect(await compileAndRun(tsconfig)).toEqual([['legacy'], 'hi ann']);
  });

  it('the legacy option wins over the file', async () => {
    const legacyFile = '{ "compilerOptions": { "experimentalDecorators": true } }';
    expect(await compileAndRun(legacyFile, { legacy: false })).toEqual([['standard'], 'hi ann']);
    expect(await compileAndRun('{}', { legacy: true })).toEqual([['legacy'], 'hi ann']);
  });

  it('a named tsconfig file that is missing is an error naming the path', () => {
    const plugin = decorators({ tsconfig: 'tsconfig.test.json' });
    expect(() => plugin.configResolved({ root: dir })).toThrow(
      /^@poor\/vitest: no tsconfig file at .*tsconfig\.test\.json$/,
    );
  });

  it('leaves other files alone', async () => {
    const plugin = decorators();
    plugin.configResolved({ root: dir });
    for (const id of ['/a/b.js', '/a/b.css', '/a/b.json', '/a/b.ts.snap'])
      expect(await plugin.transform('x', id)).toBeNull();
  });

  it('lets a vitest process load a decorated controller and inject() a request', { timeout: 60_000 }, async () => {
    const vitest = join(here, '..', '..', '..', 'node_modules', 'vitest', 'vitest.mjs');
    const { stdout } = await run(
      process.execPath,
      [vitest, 'run', '--root', join(here, 'fixture'), '--reporter=verbose'],
      {
        env: { ...process.env, NO_COLOR: '1' },
      },
    ).catch((error: { stdout?: string; stderr?: string }) => {
      throw new Error(`vitest failed:\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
    });
    expect(stdout).toContain('loads the decorated controller and answers through inject()');
    expect(stdout).toMatch(/Tests\s+1 passed/);
  });
});
