// The way users install: `npm pack` of @poor/core and @poor/openapi, installed into an empty
// project with today's TypeScript and tsx from the registry (not our lock file), type-checked
// with strict NodeNext settings, then run: the add-on validates over a real socket.
// Opt-in (network and a minute of npm): POOR_HEAVY=1, which .ci/run sets.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const heavy = process.env.POOR_HEAVY === '1';
const dir = mkdtempSync(join(tmpdir(), 'poor-pack-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const APP = `import { Application, route, type Request } from '@poor/core';
import { apiOf, openapi } from '@poor/openapi';

class Items {
  @route('/items/<id:int>')
  item(req: Request, id: number): { id: number; limit: number } {
    return { id, limit: apiOf<{ query: { limit: number } }>(req).query.limit };
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

const app = new Application('packed', { controllers: [Items], addOns: [openapi(document)], logger: false });
const { port } = await app.listen({ port: 0 });
const base = 'http://127.0.0.1:' + port;
const answers = [];
for (const path of ['/items/3', '/items/3?limit=7', '/items/0', '/items/3?limit=11']) {
  const reply = await fetch(base + path);
  answers.push([reply.status, await reply.json()]);
}
await app.close();
console.log(JSON.stringify(answers));
`;

describe.skipIf(!heavy)('the packed tarballs in an empty project', () => {
  it('install with current TypeScript and tsx, type-check strictly, and validate', { timeout: 300_000 }, async () => {
    const packed = await run(
      'npm',
      ['pack', '--json', '--pack-destination', dir, '-w', 'packages/core', '-w', 'packages/openapi'],
      {
        cwd: root,
      },
    );
    const files = (JSON.parse(packed.stdout) as Array<{ filename: string }>).map((entry) => join(dir, entry.filename));
    expect(files).toHaveLength(2);
    const project = join(dir, 'project');
    await run('mkdir', ['-p', project]);
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'packed-user', private: true, type: 'module' }),
    );
    await run(
      'npm',
      ['install', '--no-audit', '--no-fund', ...files, 'typescript@latest', 'tsx@latest', '@types/node@20'],
      {
        cwd: project,
      },
    );
    writeFileSync(join(project, 'app.ts'), APP);
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          types: ['node'],
        },
        files: ['app.ts'],
      }),
    );
    await run(join(project, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: project });
    const { stdout } = await run(join(project, 'node_modules', '.bin', 'tsx'), ['app.ts'], { cwd: project });
    const answers = JSON.parse(stdout) as Array<[number, Record<string, unknown>]>;
    expect(answers.map(([status]) => status)).toEqual([200, 200, 400, 400]);
    expect(answers[0]?.[1]).toEqual({ id: 3, limit: 5 });
    expect(answers[1]?.[1]).toEqual({ id: 3, limit: 7 });
    expect(answers[2]?.[1]).toMatchObject({ errors: [{ in: 'path', name: 'id', message: 'must be >= 1' }] });
  });
});
