// The way users install: every package packed and `npm publish`ed to a real registry
// (Verdaccio on loopback, helpers/registry.ts), then installed BY NAME into an empty project with
// today's TypeScript, tsx and vitest (not our lock file) and no @types/node of its own. The
// project compiles a controller app in both decorator modes with the settings `tsc --init`
// writes, runs it over real sockets (routes, static files, a websocket, OpenAPI validation,
// CORS, compression) with tsx and, compiled by tsc, with plain node; runs an inject() test with
// vitest and the config docs/testing.md gives, require()s Poor from CommonJS and runs the
// poor-digest bin. Then `npm create poor@latest` scaffolds projects from the registry, which
// install, test, build and serve a request.
// Opt-in (a registry and minutes of npm): POOR_HEAVY=1, which .ci/run sets.
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lineOf } from './helpers/processes.js';
import { startRegistry, type TestRegistry } from './helpers/registry.js';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const heavy = process.env.POOR_HEAVY === '1';
/** Every package of the repository, published to the registry. */
const PUBLISHED = ['core', 'static', 'ws', 'openapi', 'redis', 'vitest', 'create-poor'];
/** What the empty project installs by name. */
const INSTALLED = ['@poor/core', '@poor/static', '@poor/ws', '@poor/openapi', '@poor/redis', '@poor/vitest'];

const APP = `import { WebSocket as Client } from 'ws';
import { Application, compression, cors, route, type Request, type RouteRequest } from '@poor/core';
import { documentRoot } from '@poor/static';
import { websocket, websockets, type WebSocket } from '@poor/ws';
import { apiOf, openapi } from '@poor/openapi';

class Items {
  @route('/items/<id:int>')
  item(req: Request, id: number): { id: number; limit: number } {
    return { id, limit: apiOf<{ query: { limit: number } }>(req).query.limit };
  }

  @route('/users/<name>')
  user(req: RouteRequest<'/users/<name>'>): { name: string; big: string } {
    return { name: req.params.name, big: 'x'.repeat(4000) };
  }

  @websocket('/echo')
  echo(ws: WebSocket): void {
    ws.on('message', (data) => ws.send('echo: ' + String(data)));
  }
}

const document = {
  openapi: '3.1.0',
  info: { title: 'packed', version: '1' },
  paths: {
    '/items/{id}': {
      get: {
        parameters: [
          { name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } },
          { name: 'limit', in: 'query', schema: { type: 'integer', maximum: 10, default: 5 } },
        ],
        responses: { '200': { description: 'ok' } },
      },
    },
  },
};

export const app = new Application('packed', {
  controllers: [Items],
  addOns: [
    openapi(document, { strict: false }),
    websockets(),
    documentRoot(process.cwd() + '/public'),
    cors({ origins: ['https://app.example'] }),
    compression(),
  ],
  logger: false,
});

export async function main(): Promise<void> {
  const { port } = await app.listen({ port: 0 });
  const base = 'http://127.0.0.1:' + port;
  const answers: unknown[] = [];
  for (const path of ['/items/3', '/items/3?limit=7', '/items/0', '/items/3?limit=11']) {
    const reply = await fetch(base + path);
    answers.push([reply.status, await reply.json()]);
  }
  const user = await fetch(base + '/users/ann', { headers: { origin: 'https://app.example' } });
  const body = (await user.json()) as { name: string };
  answers.push([user.status, body.name, user.headers.get('content-encoding'), user.headers.get('access-control-allow-origin')]);
  const file = await fetch(base + '/hello.txt');
  answers.push([file.status, await file.text()]);
  const client = new Client(base.replace('http', 'ws') + '/echo');
  await new Promise((resolve) => client.once('open', resolve));
  const echoed = new Promise<string>((resolve) => client.once('message', (data) => resolve(String(data))));
  client.send('hi');
  answers.push(await echoed);
  client.close();
  await app.close();
  console.log(JSON.stringify(answers));
}
`;

const EXPECTED = [
  [200, { id: 3, limit: 5 }],
  [200, { id: 3, limit: 7 }],
  [400, expect.objectContaining({ errors: [expect.objectContaining({ in: 'path', name: 'id' })] })],
  [400, expect.objectContaining({ errors: expect.any(Array) })],
  [200, 'ann', expect.stringMatching(/^(br|gzip)$/), 'https://app.example'],
  [200, 'hello from a file\n'],
  'echo: hi',
];

const TEST = `import { expect, it } from 'vitest';
import { app } from './app.js';

it('answers through inject()', async () => {
  const reply = await app.inject({ url: '/items/4?limit=2' });
  expect(reply.status).toBe(200);
  expect(reply.json()).toEqual({ id: 4, limit: 2 });
  expect((await app.inject({ url: '/items/4?limit=20' })).status).toBe(400);
});
`;

const CJS = `const { Application } = require('@poor/core');
const app = new Application('cjs', { logger: false });
app.route('/', () => ({ from: 'commonjs' }));
app.inject({ url: '/' }).then((reply) => console.log(reply.status, reply.text()));
`;

/** The `ts vitest.config.ts` block of docs/testing.md: what users are told to write. */
function vitestConfigFromDocs(): string {
  const text = readFileSync(join(root, 'docs', 'testing.md'), 'utf8');
  const found = /```ts vitest\.config\.ts\n([\s\S]*?)```/.exec(text);
  if (!found?.[1]) throw new Error('docs/testing.md has no ```ts vitest.config.ts block');
  return found[1];
}

/** `tsc --init` of the installed TypeScript, with library checks on: what a new project gets, stricter. */
async function initTsconfig(project: string, tsc: string): Promise<Record<string, unknown>> {
  await run(tsc, ['--init'], { cwd: project });
  const text = readFileSync(join(project, 'tsconfig.json'), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '')
    .replace(/,(\s*[}\]])/g, '$1');
  const config = JSON.parse(text) as { compilerOptions: Record<string, unknown> };
  const compilerOptions: Record<string, unknown> = { ...config.compilerOptions, skipLibCheck: false, noEmit: true };
  delete compilerOptions.jsx;
  delete compilerOptions.declaration;
  delete compilerOptions.declarationMap;
  delete compilerOptions.sourceMap;
  return compilerOptions;
}

/** vitest 5 needs Node 22.12+: on older Node a user gets (and is told to get) vitest 4. */
function vitestForThisNode(): string[] {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 12) ? ['vitest@latest', 'vite@latest'] : ['vitest@4'];
}

/** Runs a command; a failure says what it printed. */
async function sh(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<string> {
  const result = await run(command, args, { ...options, maxBuffer: 32 << 20 }).catch(
    (error: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(
        `${command} ${args.join(' ')} failed: ${error.message}\n${error.stdout ?? ''}\n${error.stderr ?? ''}`,
      );
    },
  );
  return result.stdout;
}

describe.skipIf(!heavy)('the packages from a registry, by name', () => {
  const dir = mkdtempSync(join(tmpdir(), 'poor-registry-'));
  const project = join(dir, 'project');
  const bin = (name: string): string => join(project, 'node_modules', '.bin', name);
  let registry: TestRegistry | undefined;
  let env: NodeJS.ProcessEnv = {};
  let compilerOptions: Record<string, unknown> = {};
  let versions = '';
  afterAll(async () => {
    await registry?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  beforeAll(async () => {
    const workspaces = PUBLISHED.flatMap((name) => ['-w', `packages/${name}`]);
    const packed = await run('npm', ['pack', '--json', '--pack-destination', dir, ...workspaces], { cwd: root });
    const files = (JSON.parse(packed.stdout) as Array<{ filename: string }>).map((entry) => join(dir, entry.filename));
    expect(files).toHaveLength(PUBLISHED.length);
    registry = await startRegistry(join(dir, 'registry'));
    env = registry.env;
    for (const file of files) await registry.publish(file);
    mkdirSync(join(project, 'public'), { recursive: true });
    writeFileSync(join(project, 'public', 'hello.txt'), 'hello from a file\n');
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'packed-user', private: true, type: 'module' }),
    );
    const tools = ['typescript@latest', 'tsx@latest', ...vitestForThisNode(), 'ws'];
    await sh('npm', ['install', ...INSTALLED, ...tools], { cwd: project, env });
    compilerOptions = await initTsconfig(project, bin('tsc'));
    versions = (await run(bin('tsc'), ['--version'], { cwd: project })).stdout.trim();
    writeFileSync(join(project, 'app.ts'), APP);
    writeFileSync(join(project, 'main.ts'), "import { main } from './app.js';\nawait main();\n");
    writeFileSync(join(project, 'app.test.ts'), TEST);
    writeFileSync(join(project, 'vitest.config.ts'), vitestConfigFromDocs());
    writeFileSync(join(project, 'app.cjs'), CJS);
  }, 600_000);

  it('installed every package by name from the registry, at the version of this repository', async () => {
    const { version } = JSON.parse(readFileSync(join(root, 'packages', 'core', 'package.json'), 'utf8')) as {
      version: string;
    };
    const lock = JSON.parse(readFileSync(join(project, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string; resolved?: string }>;
    };
    for (const name of INSTALLED) {
      expect(lock.packages[`node_modules/${name}`]).toMatchObject({
        version,
        resolved: expect.stringContaining(registry?.url ?? '?'),
      });
    }
  });

  for (const mode of ['standard', 'legacy'] as const) {
    it(
      `compiles with the tsc --init settings and runs with tsx (${mode} decorators)`,
      { timeout: 120_000 },
      async () => {
        const options = mode === 'legacy' ? { ...compilerOptions, experimentalDecorators: true } : compilerOptions;
        const config = `tsconfig.${mode}.json`;
        writeFileSync(
          join(project, config),
          JSON.stringify({ compilerOptions: options, files: ['app.ts', 'main.ts'] }),
        );
        // the project has no @types/node: @poor/core's declarations bring the Node.js types
        await run(bin('tsc'), ['-p', config], { cwd: project }).catch((error: { stdout?: string }) => {
          throw new Error(`${versions}: ${error.stdout ?? String(error)}`);
        });
        const { stdout } = await run(bin('tsx'), ['--tsconfig', config, 'main.ts'], { cwd: project });
        expect(JSON.parse(stdout)).toEqual(EXPECTED);
      },
    );

    it(
      `runs what tsc emits with plain node, given target es2022 (${mode} decorators)`,
      { timeout: 120_000 },
      async () => {
        // The one change docs/getting-started.md asks of the tsc --init settings: target es2022
        // (esnext keeps decorators as written, which no Node.js runs).
        const outDir = `dist-${mode}`;
        const options = {
          ...compilerOptions,
          ...(mode === 'legacy' ? { experimentalDecorators: true } : {}),
          target: 'es2022',
          noEmit: false,
          rootDir: '.',
          outDir,
        };
        const config = `tsconfig.emit-${mode}.json`;
        writeFileSync(
          join(project, config),
          JSON.stringify({ compilerOptions: options, files: ['app.ts', 'main.ts'] }),
        );
        await sh(bin('tsc'), ['-p', config], { cwd: project });
        const { stdout } = await run(process.execPath, [join(outDir, 'main.js')], { cwd: project });
        expect(JSON.parse(stdout)).toEqual(EXPECTED);
      },
    );

    it(
      `runs an inject() test with the current vitest and @poor/vitest (${mode} decorators)`,
      { timeout: 120_000 },
      async () => {
        // decorators() reads the mode from tsconfig.json, as in a user's project
        const options = mode === 'legacy' ? { ...compilerOptions, experimentalDecorators: true } : compilerOptions;
        writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: options }));
        const stdout = await sh(bin('vitest'), ['run', '--reporter=verbose', 'app.test.ts'], { cwd: project });
        expect(stdout).toContain('answers through inject()');
        expect(stdout).toMatch(/1 passed/);
      },
    );
  }

  it('require()s @poor/core from CommonJS', { timeout: 60_000 }, async () => {
    const { stdout } = await run(process.execPath, ['app.cjs'], { cwd: project });
    expect(stdout.trim()).toBe('200 {"from":"commonjs"}');
  });

  it('runs the poor-digest bin', { timeout: 60_000 }, async () => {
    const { stdout } = await run(bin('poor-digest'), ['--help'], { cwd: project });
    expect(stdout).toMatch(/^usage: poor-digest/);
  });

  it('installs without a missing or non-matching peer', { timeout: 60_000 }, async () => {
    const { stdout } = await run('npm', ['ls', '--all', '--json'], { cwd: project, env });
    const tree = JSON.parse(stdout) as { problems?: string[] };
    expect(tree.problems ?? []).toEqual([]);
  });

  describe('npm create poor', () => {
    const scaffolds = join(dir, 'scaffolds');

    /** Scaffolds `name` with `flags` from the registry; installs, tests and builds it; starts the built app with its start script under plain node. */
    async function createAndServe(
      name: string,
      flags: string[],
    ): Promise<{ test: string; base: string; stop(): Promise<number | null> }> {
      mkdirSync(scaffolds, { recursive: true });
      const created = await sh('npm', ['create', 'poor@latest', name, '--', '--yes', ...flags], {
        cwd: scaffolds,
        env,
      });
      expect(created).toContain(`Created ${name} in ${name}`);
      const cwd = join(scaffolds, name);
      await sh('npm', ['install'], { cwd, env });
      const test = await sh('npm', ['test'], { cwd, env: { ...env, NO_COLOR: '1' } });
      await sh('npm', ['run', 'build'], { cwd, env });
      const start = (JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')) as { scripts: { start: string } })
        .scripts.start;
      const [node, ...args] = start.split(' ');
      expect(node).toBe('node');
      const server = spawn(process.execPath, args, {
        cwd,
        env: { ...env, PORT: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const line = await lineOf(server, /listening on http:\/\/127\.0\.0\.1:\d+\//, 30_000).catch((error: unknown) => {
        server.kill('SIGKILL');
        throw error;
      });
      const base = /http:\/\/127\.0\.0\.1:\d+/.exec(line)?.[0] ?? '';
      return {
        test,
        base,
        async stop() {
          server.kill('SIGTERM');
          const [code] = (await once(server, 'exit')) as [number | null];
          return code;
        },
      };
    }

    it('--yes: every default; its test passes, its build runs on node and answers', { timeout: 600_000 }, async () => {
      const { test, base, stop } = await createAndServe('demo', []);
      console.log(`The first \`npm test\` of a scaffolded project:\n${test}`);
      expect(test).toMatch(/Tests\s+3 passed \(3\)/);
      const hello = await fetch(`${base}/hello/registry`);
      expect([hello.status, await hello.json()]).toEqual([200, { hello: 'registry' }]);
      expect(await (await fetch(base + '/')).text()).toBe('Hello from demo!');
      expect(await stop()).toBe(0); // signals: true closes gracefully on SIGTERM
    });

    it('npm run dev serves the sources with tsx watch', { timeout: 120_000 }, async () => {
      // its own process group: npm, tsx's watcher and the app stop together
      const dev = spawn('npm', ['run', 'dev'], {
        cwd: join(scaffolds, 'demo'),
        env: { ...env, PORT: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      try {
        const line = await lineOf(dev, /listening on http:\/\/127\.0\.0\.1:\d+\//, 60_000);
        const base = /http:\/\/127\.0\.0\.1:\d+/.exec(line)?.[0] ?? '';
        expect(await (await fetch(`${base}/hello/dev`)).json()).toEqual({ hello: 'dev' });
      } finally {
        const exited = once(dev, 'exit');
        process.kill(-(dev.pid as number), 'SIGTERM');
        await exited;
      }
    });

    it('with every optional part and legacy decorators', { timeout: 600_000 }, async () => {
      const flags = ['--static', '--ws', '--openapi', '--sessions', '--legacy'];
      const { test, base, stop } = await createAndServe('full', flags);
      expect(test).toMatch(/Tests\s+7 passed \(7\)/);
      expect(readFileSync(join(scaffolds, 'full', 'tsconfig.json'), 'utf8')).toContain(
        '"experimentalDecorators": true',
      );
      const index = await fetch(`${base}/`);
      expect(await index.text()).toContain('<h1>full</h1>');
      const visit = await fetch(`${base}/visits`);
      const cookie = (visit.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      expect(await visit.json()).toEqual({ visits: 1 });
      expect(await (await fetch(`${base}/visits`, { headers: { cookie } })).json()).toEqual({ visits: 2 });
      const long = await fetch(`${base}/hello/${'x'.repeat(21)}`, { headers: { accept: 'application/json' } });
      expect([long.status, long.headers.get('content-type')]).toEqual([400, 'application/problem+json']);
      const docs = await fetch(`${base}/docs`);
      expect(await docs.text()).toContain('swagger-ui-bundle.js');
      expect((await fetch(`${base}/docs/swagger-ui-bundle.js`)).status).toBe(200); // swagger-ui-dist, installed
      const { WebSocket } = await import('ws');
      const client = new WebSocket(`${base.replace('http', 'ws')}/echo`);
      await once(client, 'open');
      const answer = once(client, 'message');
      client.send('hi');
      expect(String((await answer)[0])).toBe('echo: hi');
      client.close();
      expect(await stop()).toBe(0);
    });
  });
});
