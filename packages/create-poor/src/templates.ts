// The files of a new project, as a function of the user's choices. Each template is the
// smallest real example of its part: a controller and its inject() test, and what each
// optional package adds (a static index, a websocket echo, an OpenAPI document, sessions).

/** What the user chose. */
export interface Choices {
  /** The project's folder and package name. */
  name: string;
  /** Serve `public/` with `@poor/static`. */
  static: boolean;
  /** A websocket route with `@poor/ws`. */
  ws: boolean;
  /** Schemas on routes with `@poor/openapi`: validated requests, a generated document and a docs page. */
  openapi: boolean;
  /** `req.session` with the sessions() add-on (a secret key in `.env`). */
  sessions: boolean;
  /** Legacy `experimentalDecorators` instead of TC39 standard decorators. */
  legacy: boolean;
}

/** Versions the project starts with. */
export interface Versions {
  /** Of the `@poor/*` packages (this scaffolder's own release). */
  poor: string;
  /** The Node.js major version the scaffolder runs on (vitest 5 needs 22.12+). */
  node: [major: number, minor: number];
}

/** A file to write: its path inside the project and its text. */
export type ProjectFile = [path: string, text: string];

const json = (value: unknown): string => JSON.stringify(value, null, 2) + '\n';

/** Lines whose condition holds, joined (a template's optional parts). */
function lines(...parts: Array<string | false>): string {
  return parts.filter((part): part is string => part !== false).join('\n');
}

function packageJson(choices: Choices, versions: Versions): string {
  const poor = `^${versions.poor}`;
  const [major, minor] = versions.node;
  const vitest5 = major > 22 || (major === 22 && minor >= 12);
  const envFile = choices.sessions ? ' --env-file=.env' : '';
  const dependencies: Record<string, string> = { '@poor/core': poor };
  if (choices.openapi) {
    dependencies['@poor/openapi'] = poor;
    dependencies['swagger-ui-dist'] = '^5.35.0'; // the docs page at /docs
  }
  if (choices.static) dependencies['@poor/static'] = poor;
  if (choices.ws) dependencies['@poor/ws'] = poor;
  const devDependencies: Record<string, string> = {
    '@poor/vitest': poor,
    tsx: '^4.23.15',
    typescript: '^7.0.2',
    // vitest 5 needs Node.js 22.12+ and takes Vite as a peer; vitest 4 brings its own.
    ...(vitest5 ? { vite: '^8.4.1', vitest: '^5.1.2' } : { vitest: '^4.1.12' }),
    ...(choices.ws ? { ws: '^8.18.3' } : {}),
  };
  return json({
    name: choices.name,
    version: '0.1.0',
    private: true,
    type: 'module',
    engines: { node: '>=20.19' },
    scripts: {
      dev: `tsx watch${envFile} src/main.ts`,
      build: 'tsc',
      start: `node${envFile} dist/main.js`,
      test: 'vitest run',
    },
    dependencies,
    devDependencies,
  });
}

function tsconfig(choices: Choices): string {
  return json({
    compilerOptions: {
      rootDir: 'src',
      outDir: 'dist',
      module: 'nodenext',
      // ES2022: tsc lowers decorators, which no Node.js runs as written yet (esnext keeps them).
      target: 'es2022',
      lib: ['es2023'],
      ...(choices.legacy ? { experimentalDecorators: true } : {}),
      strict: true,
      exactOptionalPropertyTypes: true,
      noUncheckedIndexedAccess: true,
      verbatimModuleSyntax: true,
      isolatedModules: true,
      moduleDetection: 'force',
      skipLibCheck: true,
      sourceMap: true,
    },
    include: ['src'],
  });
}

function vitestConfig(choices: Choices): string {
  const test = choices.sessions ? `, test: { env: { SECRET: 'a test secret of at least thirty-two bytes' } }` : '';
  return `import { decorators } from '@poor/vitest';
import { defineConfig } from 'vitest/config';

// decorators() compiles TypeScript with esbuild, in the decorator mode tsconfig.json names.
export default defineConfig({ plugins: [decorators()]${test} });
`;
}

/** The code-first spec of GET /hello/<name> (a JSON Schema `as const` types the handler). */
const HELLO_SPEC = `// The route's schemas: @poor/openapi validates requests with them (400 problem details),
// types the handler from them and puts them in the document at /openapi.json (page: /docs).
const hello = {
  summary: 'Greet someone',
  params: { type: 'object', properties: { name: { type: 'string', maxLength: 20 } }, required: ['name'] },
  responses: { 200: { type: 'object', properties: { hello: { type: 'string' } }, required: ['hello'] } },
} as const;
`;

function controller(choices: Choices): string {
  const core = [...(!choices.static || choices.sessions || !choices.openapi ? ['route'] : []), 'type Request'];
  return lines(
    `import { ${core.join(', ')} } from '@poor/core';`,
    choices.openapi && `import { operation, type ApiRequest } from '@poor/openapi';`,
    choices.ws && `import { websocket, type WebSocket } from '@poor/ws';`,
    '',
    choices.openapi && HELLO_SPEC,
    '/** A controller: each decorated method answers one route. */',
    'export class Greetings {',
    !choices.static && `  @route('/')\n  index(): string {\n    return 'Hello from ${choices.name}!';\n  }\n`,
    choices.openapi
      ? `  @operation('/hello/<name>', 'GET', hello)\n  hello(_req: ApiRequest<typeof hello>, name: string): { hello: string } {`
      : `  @route('/hello/<name>')\n  hello(_req: Request, name: string): { hello: string } {`,
    `    return { hello: name };`,
    `  }`,
    choices.sessions &&
      `
  // req.session: read lazily, written back with the answer when changed.
  @route('/visits')
  visits(req: Request): { visits: number } {
    const visits = Number(req.session.data.visits ?? 0) + 1;
    req.session.data.visits = visits;
    return { visits };
  }`,
    choices.ws &&
      `
  @websocket('/echo')
  echo(ws: WebSocket): void {
    ws.on('message', (data) => ws.send(\`echo: \${String(data)}\`));
  }`,
    '}',
    '',
  );
}

function app(choices: Choices): string {
  const core = ['Application', ...(choices.sessions ? ['sessions'] : [])];
  const addOns = [
    choices.openapi &&
      `openapi({ documentPath: '/openapi.json', docsPath: '/docs', info: { title: '${choices.name}', version: '0.1.0' } })`,
    choices.static && "documentRoot(fileURLToPath(new URL('../public', import.meta.url)))",
    choices.ws && 'websockets()',
    choices.sessions && 'sessions()',
  ].filter((part): part is string => part !== false);
  return lines(
    choices.static && `import { fileURLToPath } from 'node:url';`,
    `import { ${core.join(', ')} } from '@poor/core';`,
    choices.openapi && `import { openapi } from '@poor/openapi';`,
    choices.static && `import { documentRoot } from '@poor/static';`,
    choices.ws && `import { websockets } from '@poor/ws';`,
    `import { Greetings } from './greetings.js';`,
    '',
    '/** The application: src/main.ts serves it, the tests inject() requests into it. */',
    `export const app = new Application('${choices.name}', {`,
    '  controllers: [Greetings],',
    addOns.length > 0 && `  addOns: [${addOns.join(', ')}],`,
    choices.sessions && `  secretKey: process.env.SECRET, // at least 32 bytes: .env holds one`,
    '});',
    '',
  );
}

const MAIN = `import { app } from './app.js';

const host = process.env.HOST ?? '127.0.0.1';
const { port } = await app.listen({ port: Number(process.env.PORT ?? 3000), host, signals: true });
console.log(\`\${app.name} listening on http://\${host}:\${port}/\`);
`;

function test(choices: Choices): string {
  const imports = ['describe', 'expect', 'it'];
  return lines(
    choices.ws && `import { WebSocket } from 'ws';`,
    `import { ${imports.join(', ')} } from 'vitest';`,
    `import { app } from '../src/app.js';`,
    '',
    `describe('${choices.name}', () => {`,
    `  it('greets by name', async () => {`,
    `    const reply = await app.inject('/hello/ann');`,
    `    expect(reply.status).toBe(200);`,
    `    expect(reply.json()).toEqual({ hello: 'ann' });`,
    `  });`,
    '',
    `  it('answers an unknown path with 404 problem details', async () => {`,
    `    const reply = await app.inject({ url: '/nowhere', headers: { accept: 'application/json' } });`,
    `    expect(reply.status).toBe(404);`,
    `    expect(reply.headers['content-type']).toMatch(/^application\\/problem\\+json/);`,
    `  });`,
    choices.static
      ? `
  it('serves public/index.html', async () => {
    const reply = await app.inject('/');
    expect(reply.status).toBe(200);
    expect(reply.text()).toContain('<h1>${choices.name}</h1>');
  });`
      : `
  it('says hello at /', async () => {
    expect((await app.inject('/')).text()).toBe('Hello from ${choices.name}!');
  });`,
    choices.openapi &&
      `
  it('refuses a name longer than its schema allows', async () => {
    const reply = await app.inject('/hello/' + 'x'.repeat(21));
    expect(reply.status).toBe(400);
    expect(reply.json()).toMatchObject({ status: 400, errors: [expect.objectContaining({ in: 'path', name: 'name' })] });
  });

  it('documents the route in the generated OpenAPI document', async () => {
    const doc = (await app.inject('/openapi.json')).json();
    expect(doc).toMatchObject({ openapi: '3.1.0', paths: { '/hello/{name}': { get: { summary: 'Greet someone' } } } });
  });`,
    choices.sessions &&
      `
  it('counts visits in the session cookie', async () => {
    const first = await app.inject('/visits');
    const cookie = String(first.headers['set-cookie']).split(';')[0] ?? '';
    expect(first.json()).toEqual({ visits: 1 });
    expect((await app.inject({ url: '/visits', headers: { cookie } })).json()).toEqual({ visits: 2 });
  });`,
    choices.ws &&
      `
  it('echoes over a websocket', async () => {
    const { port } = await app.listen({ port: 0 });
    try {
      const client = new WebSocket(\`ws://127.0.0.1:\${port}/echo\`);
      await new Promise((resolve, reject) => client.once('open', resolve).once('error', reject));
      const answer = new Promise<string>((resolve) => client.once('message', (data) => resolve(String(data))));
      client.send('hi');
      expect(await answer).toBe('echo: hi');
      client.close();
    } finally {
      await app.close();
    }
  });`,
    '});',
    '',
  );
}

const INDEX_HTML = (name: string): string => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${name}</title></head>
<body>
<h1>${name}</h1>
<p>Served from <code>public/</code> by <code>@poor/static</code>. Try <a href="/hello/world">/hello/world</a>.</p>
</body>
</html>
`;

function readme(choices: Choices): string {
  return lines(
    `# ${choices.name}`,
    '',
    'A [Poor](https://github.com/poor-framework/poor) application.',
    '',
    '```sh',
    'npm install',
    'npm test          # vitest: the inject() tests in test/',
    'npm run dev       # serves src/main.ts with tsx, restarting on changes',
    'npm run build     # tsc: src/ → dist/',
    'npm start         # node dist/main.js (PORT, HOST)',
    '```',
    '',
    choices.sessions &&
      '`.env` holds `SECRET`, the key sealing session cookies (keep it out of version control; `npm start` and\n`npm run dev` read it). Make a new one with `node -p "crypto.randomBytes(32).toString(\'hex\')"`.\n',
    `Decorators: ${choices.legacy ? 'legacy (`experimentalDecorators` in tsconfig.json)' : 'TC39 standard'}.`,
    '',
  );
}

/** Every file of a new project. */
export function projectFiles(choices: Choices, versions: Versions, secret: string): ProjectFile[] {
  const files: ProjectFile[] = [
    ['package.json', packageJson(choices, versions)],
    ['tsconfig.json', tsconfig(choices)],
    ['vitest.config.ts', vitestConfig(choices)],
    ['.gitignore', lines('node_modules/', 'dist/', choices.sessions && '.env', '')],
    ['README.md', readme(choices)],
    ['src/main.ts', MAIN],
    ['src/app.ts', app(choices)],
    ['src/greetings.ts', controller(choices)],
    ['test/app.test.ts', test(choices)],
  ];
  if (choices.static) files.push(['public/index.html', INDEX_HTML(choices.name)]);
  if (choices.sessions) files.push(['.env', `SECRET=${secret}\n`]);
  return files;
}
