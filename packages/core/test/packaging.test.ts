// The way users install: `npm pack` of every package, the tarballs installed into an empty
// project with today's TypeScript, tsx and vitest from the registry (not our lock file) and
// no @types/node of its own. The project compiles a controller app in both decorator modes
// with the settings `tsc --init` writes, runs it over real sockets (routes, static files, a
// websocket, OpenAPI validation, CORS, compression), runs an inject() test with vitest and
// the config docs/testing.md gives, require()s Poor from CommonJS and runs the poor-digest bin.
// Opt-in (the registry and a minute of npm): POOR_HEAVY=1, which .ci/run sets.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const heavy = process.env.POOR_HEAVY === '1';
const PACKAGES = ['core', 'static', 'ws', 'openapi'];

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
    documentRoot(new URL('./public', import.meta.url).pathname),
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

describe.skipIf(!heavy)('the packed tarballs in an empty project', () => {
  const dir = mkdtempSync(join(tmpdir(), 'poor-pack-'));
  const project = join(dir, 'project');
  const bin = (name: string): string => join(project, 'node_modules', '.bin', name);
  let compilerOptions: Record<string, unknown> = {};
  let versions = '';
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    const workspaces = PACKAGES.flatMap((name) => ['-w', `packages/${name}`]);
    const packed = await run('npm', ['pack', '--json', '--pack-destination', dir, ...workspaces], { cwd: root });
    const files = (JSON.parse(packed.stdout) as Array<{ filename: string }>).map((entry) => join(dir, entry.filename));
    expect(files).toHaveLength(PACKAGES.length);
    mkdirSync(join(project, 'public'), { recursive: true });
    writeFileSync(join(project, 'public', 'hello.txt'), 'hello from a file\n');
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'packed-user', private: true, type: 'module' }),
    );
    // vitest 5 needs Node 22.12+: on older Node a user gets (and is told to get) vitest 4.
    const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
    const vitest = major > 22 || (major === 22 && minor >= 12) ? 'vitest@latest' : 'vitest@4';
    const tools = ['typescript@latest', 'tsx@latest', vitest, 'esbuild@latest', 'ws'];
    await run('npm', ['install', '--no-audit', '--no-fund', ...files, ...tools], { cwd: project });
    compilerOptions = await initTsconfig(project, bin('tsc'));
    versions = (await run(bin('tsc'), ['--version'], { cwd: project })).stdout.trim();
    writeFileSync(join(project, 'app.ts'), APP);
    writeFileSync(join(project, 'main.ts'), "import { main } from './app.js';\nawait main();\n");
    writeFileSync(join(project, 'app.test.ts'), TEST);
    writeFileSync(join(project, 'vitest.config.ts'), vitestConfigFromDocs());
    writeFileSync(join(project, 'app.cjs'), CJS);
  }, 300_000);

  for (const mode of ['standard', 'legacy'] as const) {
    it(`compiles with the tsc --init settings and runs (${mode} decorators)`, { timeout: 120_000 }, async () => {
      const options = mode === 'legacy' ? { ...compilerOptions, experimentalDecorators: true } : compilerOptions;
      const config = `tsconfig.${mode}.json`;
      writeFileSync(join(project, config), JSON.stringify({ compilerOptions: options, files: ['app.ts', 'main.ts'] }));
      // the project has no @types/node: @poor/core's declarations bring the Node.js types
      await run(bin('tsc'), ['-p', config], { cwd: project }).catch((error: { stdout?: string }) => {
        throw new Error(`${versions}: ${error.stdout ?? String(error)}`);
      });
      const { stdout } = await run(bin('tsx'), ['--tsconfig', config, 'main.ts'], { cwd: project });
      expect(JSON.parse(stdout)).toEqual(EXPECTED);
    });

    it(`runs an inject() test with the current vitest (${mode} decorators)`, { timeout: 120_000 }, async () => {
      const env = { ...process.env, LEGACY_DECORATORS: mode === 'legacy' ? '1' : '0' };
      const { stdout } = await run(bin('vitest'), ['run', '--reporter=verbose'], { cwd: project, env });
      expect(stdout).toContain('answers through inject()');
      expect(stdout).toMatch(/1 passed/);
    });
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
    const { stdout } = await run('npm', ['ls', '--all', '--json'], { cwd: project });
    const tree = JSON.parse(stdout) as { problems?: string[] };
    expect(tree.problems ?? []).toEqual([]);
  });
});
