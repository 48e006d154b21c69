// create-poor, run as `npm create poor` runs it (its bin under node), into folders inside this
// repository so the scaffolded code resolves the workspace's @poor/* packages: the files for
// each choice, the refusals, and that a project with every part type-checks with its own
// tsconfig.json and passes its own tests (the packaging test does the same from a registry).
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..', '..');
const cli = join(here, '..', 'dist', 'index.js');
const work = mkdtempSync(join(here, '.scaffold-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs create-poor in the work folder (stdin not a terminal: nothing is asked). */
async function create(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { cwd: work });
    return { code: 0, out: stdout, err: stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, out: failed.stdout, err: failed.stderr };
  }
}

const read = (...path: string[]): string => readFileSync(join(work, ...path), 'utf8');

describe('create-poor', () => {
  it('--yes writes a project with every default: standard decorators, no optional part', async () => {
    const { code, out } = await create('plain', '--yes');
    expect(code).toBe(0);
    expect(out).toContain('Created plain in plain: 9 files, standard decorators.');
    expect(out).toMatch(/cd plain\n\s+npm install\n\s+npm test/);
    const pkg = JSON.parse(read('plain', 'package.json')) as Record<string, Record<string, string>>;
    const { version } = JSON.parse(readFileSync(join(here, '..', 'package.json'), 'utf8')) as { version: string };
    expect(pkg.dependencies).toEqual({ '@poor/core': `^${version}` });
    expect(Object.keys(pkg.devDependencies ?? {})).toEqual(
      expect.arrayContaining(['@poor/vitest', 'typescript', 'tsx', 'vitest']),
    );
    expect(pkg.scripts).toEqual({
      dev: 'tsx watch src/main.ts',
      build: 'tsc',
      start: 'node dist/main.js',
      test: 'vitest run',
    });
    const tsconfig = JSON.parse(read('plain', 'tsconfig.json')) as { compilerOptions: Record<string, unknown> };
    expect(tsconfig.compilerOptions).toMatchObject({ target: 'es2022', rootDir: 'src', outDir: 'dist' });
    expect(tsconfig.compilerOptions.experimentalDecorators).toBeUndefined();
    expect(read('plain', 'vitest.config.ts')).toContain('plugins: [decorators()]');
    expect(existsSync(join(work, 'plain', '.env'))).toBe(false);
  });

  it('each flag adds its package, its code and its test', async () => {
    const { code, out } = await create('every', '--static', '--ws', '--openapi', '--sessions', '--legacy');
    expect([code, out]).toEqual([0, expect.stringContaining('legacy decorators, with static, ws, openapi, sessions.')]);
    const pkg = JSON.parse(read('every', 'package.json')) as Record<string, Record<string, string>>;
    expect(Object.keys(pkg.dependencies ?? {}).sort()).toEqual([
      '@poor/core',
      '@poor/openapi',
      '@poor/static',
      '@poor/ws',
      'swagger-ui-dist',
    ]);
    expect(pkg.scripts?.start).toBe('node --env-file=.env dist/main.js');
    expect(read('every', '.env')).toMatch(/^SECRET=[0-9a-f]{64}\n$/);
    expect(read('every', '.gitignore')).toContain('.env');
    expect(read('every', 'tsconfig.json')).toContain('"experimentalDecorators": true');
    expect(read('every', 'src', 'app.ts')).toContain(
      "addOns: [openapi({ documentPath: '/openapi.json', docsPath: '/docs'",
    );
    expect(read('every', 'src', 'greetings.ts')).toContain("@operation('/hello/<name>', 'GET', hello)");
    expect(readdirSync(join(work, 'every', 'public'))).toEqual(['index.html']);
  });

  it(
    'a project with every part type-checks with its tsconfig.json and passes its own tests',
    { timeout: 120_000 },
    async () => {
      const project = join(work, 'every');
      const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
      await run(process.execPath, [tsc, '-p', project, '--noEmit']).catch((error: { stdout?: string }) => {
        throw new Error(`tsc: ${error.stdout ?? String(error)}`);
      });
      const vitest = join(repo, 'node_modules', 'vitest', 'vitest.mjs');
      const { stdout } = await run(process.execPath, [vitest, 'run', '--root', project], {
        env: { ...process.env, NO_COLOR: '1' },
      }).catch((error: { stdout?: string; stderr?: string }) => {
        throw new Error(`vitest: ${error.stdout ?? ''}${error.stderr ?? ''}`);
      });
      expect(stdout).toMatch(/Tests\s+7 passed \(7\)/);
    },
  );

  it('refuses a folder that has files, a name npm refuses, two folders and unknown flags (exit 1, with the usage)', async () => {
    mkdirSync(join(work, 'taken'));
    writeFileSync(join(work, 'taken', 'keep.txt'), 'mine');
    expect(await create('taken', '--yes')).toMatchObject({
      code: 1,
      err: expect.stringMatching(/^create-poor: taken exists and is not empty/),
    });
    expect(read('taken', 'keep.txt')).toBe('mine');
    expect(await create('Bad Name', '--yes')).toMatchObject({
      code: 1,
      err: expect.stringContaining('"Bad Name" is not a package name'),
    });
    expect(await create('a', 'b')).toMatchObject({ code: 1, err: expect.stringContaining('one folder, not 2: a b') });
    const unknown = await create('x', '--nope');
    expect(unknown).toMatchObject({ code: 1, err: expect.stringContaining("Unknown option '--nope'") });
    expect(unknown.err).toContain('usage: npm create poor@latest');
    expect(existsSync(join(work, 'x'))).toBe(false);
  });

  it('runs from a folder whose path has a space (an npx cache under "C:\\Users\\Ann Lee")', async () => {
    const installed = join(work, 'with space', 'create-poor');
    cpSync(join(here, '..', 'dist'), join(installed, 'dist'), { recursive: true });
    cpSync(join(here, '..', 'package.json'), join(installed, 'package.json'));
    const { stdout } = await run(process.execPath, [join(installed, 'dist', 'index.js'), 'spaced', '--yes'], {
      cwd: work,
    });
    expect(stdout).toContain('Created spaced in spaced');
  });

  it('--help prints the usage and writes nothing', async () => {
    expect(await create('--help')).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^usage: npm create poor@latest/),
    });
    expect(readdirSync(work).sort()).not.toContain('poor-app');
  });
});
