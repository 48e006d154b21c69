// A real npm registry on loopback for the packaging test: Verdaccio 6.8.0 (the newest that runs
// on Node.js 20) with a temporary storage, our packages published to it, every other package
// proxied from the registry npm is configured with. npm is pointed at it through environment
// variables only (a fresh cache and user config per run: no stale `npx` cache, no real token).
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { lineOf } from './processes.js';

const run = promisify(execFile);
const VERDACCIO = 'verdaccio@6.8.0';

/** A running registry: its URL, the environment that points npm at it, and how to stop it. */
export interface TestRegistry {
  url: string;
  env: NodeJS.ProcessEnv;
  /** Publishes a packed tarball (`npm publish file.tgz`). */
  publish(tarball: string): Promise<void>;
  close(): Promise<void>;
}

/** Verdaccio installed once per machine (in the temporary folder), shared by later runs. */
async function verdaccioHome(): Promise<string> {
  const home = join(tmpdir(), `poor-${VERDACCIO.replace('@', '-')}`);
  if (existsSync(join(home, 'node_modules', 'verdaccio', 'package.json'))) return home;
  const staging = `${home}.${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  await run('npm', ['install', '--prefix', staging, '--no-audit', '--no-fund', '--no-save', VERDACCIO], {
    maxBuffer: 16 << 20,
  });
  try {
    renameSync(staging, home);
  } catch {
    rmSync(staging, { recursive: true, force: true }); // another run installed it first
  }
  return home;
}

const SERVE = `const { runServer } = require(process.argv[2]);
runServer(process.argv[3]).then((server) => {
  server.listen(0, '127.0.0.1', () => console.log('VERDACCIO_PORT=' + server.address().port));
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
}, (error) => { console.error(error); process.exit(1); });
`;

/** Starts Verdaccio in `dir` (its storage, config and npm's cache go there). */
export async function startRegistry(dir: string): Promise<TestRegistry> {
  const home = await verdaccioHome();
  const upstream = (await run('npm', ['config', 'get', 'registry'])).stdout.trim() || 'https://registry.npmjs.org/';
  mkdirSync(dir, { recursive: true });
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    `storage: ${JSON.stringify(join(dir, 'storage'))}
auth:
  htpasswd:
    file: ${JSON.stringify(join(dir, 'htpasswd'))}
    max_users: -1
uplinks:
  upstream:
    url: ${JSON.stringify(upstream)}
    timeout: 60s
packages:
  '@poor/*':
    access: $all
    publish: $all
    unpublish: $all
  'create-poor':
    access: $all
    publish: $all
    unpublish: $all
  '**':
    access: $all
    publish: $authenticated
    proxy: upstream
web:
  enable: false
log: { type: stdout, format: pretty, level: warn }
`,
  );
  const serve = join(dir, 'serve.cjs');
  writeFileSync(serve, SERVE);
  const child = spawn(process.execPath, [serve, join(home, 'node_modules', 'verdaccio'), config], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const line = await lineOf(child, /^VERDACCIO_PORT=\d+/, 60_000).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  const port = line.split('=')[1];
  const url = `http://127.0.0.1:${port}/`;
  const userconfig = join(dir, 'npmrc');
  // Our packages are published without an account ('$all'); npm still wants a token to send.
  writeFileSync(userconfig, `//127.0.0.1:${port}/:_authToken=test-registry\n`);
  // Nothing of the npm that runs the tests (npm test sets npm_config_*, npm_package_* …) leaks in.
  const inherited = Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key));
  const env: NodeJS.ProcessEnv = {
    ...Object.fromEntries(inherited),
    npm_config_registry: url,
    npm_config_userconfig: userconfig,
    npm_config_cache: join(dir, 'npm-cache'),
    npm_config_update_notifier: 'false',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_yes: 'true',
  };
  return {
    url,
    env,
    async publish(tarball) {
      await run('npm', ['publish', tarball], { env, cwd: dir });
    },
    async close() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
