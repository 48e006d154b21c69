import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Application, type Request } from '../src/index.js';

const run = promisify(execFile);

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('options and the environment', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('reads poor_* variables once; code options win over them', () => {
    vi.stubEnv('poor_Debug', 'oN');
    vi.stubEnv('poor_SecretKey', 'from-env');
    vi.stubEnv('poor_DocumentRoot', '/srv/www');
    vi.stubEnv('poor_DocumentIndex', 'On');
    const fromEnv = new Application('env', { logger: false });
    expect(fromEnv.debug).toBe(true);
    expect(fromEnv.secretKey).toBe('from-env');
    expect(fromEnv.documentRoot).toBe('/srv/www');
    expect(fromEnv.documentIndex).toBe(true);
    const fromCode = new Application('code', { debug: false, secretKey: 'code', logger: false });
    expect(fromCode.debug).toBe(false);
    expect(fromCode.secretKey).toBe('code');
    vi.stubEnv('poor_Debug', 'Off');
    expect(new Application('off', { logger: false }).debug).toBe(false);
  });

  it('has documented defaults and typed, settable properties', () => {
    vi.stubEnv('poor_Debug', '');
    const app = new Application('defaults', { logger: false });
    expect(app.debug).toBe(false);
    expect(app.autoArgs && app.autoForm && app.autoJson && app.autoCookies).toBe(true);
    expect(app.limits).toEqual({
      body: 1_048_576,
      fileSize: 200 * 2 ** 20,
      files: 100,
      fields: 1000,
      fieldsSize: 20 * 2 ** 20,
      jsonDepth: 256,
    });
    expect(app.poweredBy).toBe('Poor');
    app.debug = true;
    expect(app.debug).toBe(true);
  });

  it('getOptions() returns app_* variables, prefix stripped, lower-cased, trimmed', () => {
    vi.stubEnv('APP_Colour', ' blue ');
    vi.stubEnv('app_db_url', 'sqlite://x');
    vi.stubEnv('notapp_x', '1');
    const options = Application.getOptions();
    expect(options.colour).toBe('blue');
    expect(options.db_url).toBe('sqlite://x');
    expect(options.x).toBeUndefined();
    expect(new Application('o', { logger: false }).getOptions().colour).toBe('blue');
  });
});

describe('serving', () => {
  it('app.handler works with a plain http.createServer, and two apps coexist', async () => {
    const one = new Application('same-name', { logger: false }).route('/', () => 'one');
    const two = new Application('same-name', { logger: false }).route('/', () => 'two');
    const servers = [createServer(one.handler), createServer(two.handler)];
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))));
    const [a, b] = servers.map((server) => (server.address() as AddressInfo).port) as [number, number];
    expect((await get(a, '/')).body).toBe('one');
    expect((await get(b, '/')).body).toBe('two');
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  });

  it('listen() resolves with the address; close() waits for in-flight requests', async () => {
    const app = new Application('drain', { logger: false });
    let release: () => void = () => undefined;
    const started = new Promise<void>((resolve) => {
      app.route('/slow', async () => {
        resolve();
        await new Promise<void>((done) => (release = done));
        return 'finished';
      });
    });
    const address = await app.listen({ port: 0 });
    expect(address.address).toBe('127.0.0.1');
    const pending = get(address.port, '/slow');
    await started;
    const closing = app.close();
    let closed = false;
    void closing.then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(false);
    release();
    expect(await pending).toEqual({ status: 200, body: 'finished' });
    await closing;
    expect(closed).toBe(true);
    await expect(get(address.port, '/slow')).rejects.toThrow();
  });

  it('close() gives up on requests after closeTimeout', async () => {
    const app = new Application('timeout', { logger: false, closeTimeout: 100 });
    let handling: () => void = () => undefined;
    const handled = new Promise<void>((resolve) => (handling = resolve));
    app.route('/forever', () => {
      handling();
      return new Promise(() => undefined);
    });
    const { port } = await app.listen({ port: 0 });
    const pending = get(port, '/forever').catch((error: Error) => error);
    await handled;
    // Without closeTimeout this would wait for the handler forever (and the test time out).
    await app.close();
    expect(await pending).toBeInstanceOf(Error);
  });

  it('use() installs add-ons; onListen and onClose reach them', async () => {
    const events: string[] = [];
    const app = new Application('addon', { logger: false });
    app.use((target) => {
      target.route('/from-addon', () => 'added');
      target.addFallback((req: Request) => (req.path === '/fallback' ? 'fell back' : undefined));
      target.onListen(() => events.push('listen'));
      target.onClose(() => events.push('close'));
    });
    expect((await app.inject('/from-addon')).text()).toBe('added');
    expect((await app.inject('/fallback')).text()).toBe('fell back');
    expect((await app.inject('/other')).status).toBe(404);
    await app.listen({ port: 0 });
    await app.close();
    expect(events).toEqual(['listen', 'close']);
  });

  it('serves /debug-info only in debug mode, masking secrets', async () => {
    const app = new Application('debug-info', { debug: true, secretKey: 'super-secret', logger: false });
    app.route('/x/<id:int>', () => 'x');
    const reply = await app.inject({
      url: '/debug-info',
      headers: { cookie: 'session=abc123', authorization: 'Bearer tok456' },
    });
    expect(reply.status).toBe(200);
    const page = reply.text();
    expect(page).toContain('Poor Debug Info');
    expect(page).toContain('/x/&#60;id:int&#62;');
    expect(page).not.toContain('abc123');
    expect(page).not.toContain('tok456');
    expect(page).not.toContain('super-secret');
    const off = new Application('no-debug', { logger: false });
    expect((await off.inject('/debug-info')).status).toBe(404);
  });

  it('profiles requests into .cpuprofile files without changing responses', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'poor-profile-'));
    try {
      const app = new Application('profile', { logger: false });
      app.setProfile(dir);
      app.route('/profile', () => ({ PROFILE: '1' }));
      expect((await app.inject('/profile')).json()).toEqual({ PROFILE: '1' });
      await vi.waitFor(() =>
        expect(readdirSync(dir).some((name) => name.startsWith('GET_profile.') && name.endsWith('.cpuprofile'))).toBe(
          true,
        ),
      );
      app.delProfile();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the wire, with curl and raw sockets', () => {
  it('curl sees HEAD without a body and 405 with Allow', async () => {
    const app = new Application('curl', { logger: false });
    app.route('/thing', () => 'thing body');
    app.route('/other', () => 'patched', 'PATCH');
    const { port } = await app.listen({ port: 0 });
    try {
      const head = await run('curl', ['-sS', '-I', `http://127.0.0.1:${port}/thing`]);
      expect(head.stdout).toMatch(/^HTTP\/1\.1 200 OK/);
      expect(head.stdout).toMatch(/content-length: 10/i);
      const wrong = await run('curl', ['-sS', '-i', '-X', 'PATCH', `http://127.0.0.1:${port}/thing`]);
      expect(wrong.stdout).toMatch(/^HTTP\/1\.1 405/);
      expect(wrong.stdout).toMatch(/allow: GET, HEAD, OPTIONS/i);
      const path = await run('curl', [
        '-sS',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code}',
        '--path-as-is',
        `http://127.0.0.1:${port}/%ZZ`,
      ]);
      expect(path.stdout).toBe('400');
    } finally {
      await app.close();
    }
  });
});
