import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import {
  Application,
  basic,
  digest,
  hexdigest,
  MemoryNonceStore,
  PasswordMap,
  type InjectResponse,
  type SettingsOptions,
} from '../src/index.js';
import { authorize, challenge as parseChallenge, type Credentials } from './helpers/digest-client.js';
import { recordingLogger, useCleanup } from './helpers/transports.js';

/** The auth-params of the first Digest challenge of a 401. */
function challenge(reply: InjectResponse): Record<string, string> {
  return parseChallenge(reply.headers['www-authenticate']);
}

const { tempDir } = useCleanup();

const users = new PasswordMap()
  .set('Zone', 'alice', hexdigest('alice', 'Zone', 'secret'))
  .set('Zone', 'Ondřej', hexdigest('Ondřej', 'Zone', 'heslíčko'))
  .set('Strong', 'sha', hexdigest('sha', 'Strong', 'pw', 'sha256'));

function createApp(options: Partial<SettingsOptions> = {}): Application {
  const app = new Application('digest', { secretKey: 'k'.repeat(32), authMap: users, logger: false, ...options });
  app.route('/private', (req) => `hello ${String(req.user)}`, { before: [digest('Zone')] });
  app.route('/alice', (req) => `only ${String(req.user)}`, { before: [digest('Zone', 'alice')] });
  app.route('/strong', (req) => `strong ${String(req.user)}`, { before: [digest('Strong')] });
  app.route('/upload', (req) => `got ${req.form.size}`, { methods: 'POST', before: [digest('Zone')] });
  return app;
}

async function login(app: Application, credentials: Credentials): Promise<InjectResponse> {
  const first = await app.inject({ url: credentials.uri, method: credentials.method });
  return app.inject({
    url: credentials.uri,
    method: credentials.method,
    headers: { authorization: authorize(challenge(first), credentials) },
  });
}

describe('HTTP Digest (RFC 7616)', () => {
  it('challenges with realm, qop, algorithm, nonce and opaque; sets req.user on success', async () => {
    const app = createApp();
    const refused = await app.inject('/private');
    expect(refused.status).toBe(401);
    const params = challenge(refused);
    expect(params).toMatchObject({ realm: 'Zone', qop: 'auth', algorithm: 'MD5-sess', charset: 'UTF-8' });
    expect(params.nonce).toMatch(/^[\w.-]{40,}$/);
    expect((await login(app, { user: 'alice', password: 'secret', uri: '/private' })).text()).toBe('hello alice');
    expect((await login(app, { user: 'alice', password: 'secret', uri: '/alice' })).text()).toBe('only alice');
  });

  it('UTF-8 user names (username*), and a SHA-256 realm offers SHA-256', async () => {
    const app = createApp();
    const ondrej = await login(app, { user: 'Ondřej', password: 'heslíčko', uri: '/private' });
    expect(ondrej.text()).toBe('hello Ondřej');
    const strong = await app.inject('/strong');
    expect(challenge(strong).algorithm).toBe('SHA-256-sess');
    expect((await login(app, { user: 'sha', password: 'pw', uri: '/strong' })).text()).toBe('strong sha');
  });

  it('refuses, each with its answer: unknown user, wrong password, realm, algorithm, opaque, user', async () => {
    const app = createApp();
    const params = challenge(await app.inject('/private'));
    const send = (authorization: string, url = '/private'): Promise<InjectResponse> =>
      app.inject({ url, headers: { authorization } });
    const good = { user: 'alice', password: 'secret', uri: '/private' };
    expect((await send(authorize(params, { ...good, user: 'mallory' }))).status).toBe(401);
    expect((await send(authorize(params, { ...good, password: 'wrong' }))).status).toBe(401);
    expect((await send(authorize(params, { ...good, realm: 'Other' }))).status).toBe(401);
    expect((await send(authorize(params, { ...good, algorithm: 'SHA-256' }))).status).toBe(401); // no SHA-256 HA1
    expect((await send(authorize({ ...params, opaque: 'x' }, good))).status).toBe(401);
    expect(
      (await send(authorize(params, { ...good, uri: '/alice', user: 'Ondřej', password: 'heslíčko' }), '/alice'))
        .status,
    ).toBe(401);
    // the uri must be the request target
    expect((await send(authorize(params, { ...good, uri: '/elsewhere' }))).status).toBe(400);
    expect((await send(authorize({ ...params, nonce: `${params.nonce as string}x` }, good))).status).toBe(401);
  });

  it('a replayed header is refused; a count a little out of order is accepted once', async () => {
    const app = createApp();
    const params = challenge(await app.inject('/private'));
    const header = (nc: string): string =>
      authorize(params, { user: 'alice', password: 'secret', uri: '/private', nc });
    const send = (authorization: string): Promise<number> =>
      app.inject({ url: '/private', headers: { authorization } }).then((reply) => reply.status);
    expect(await send(header('00000003'))).toBe(200);
    expect(await send(header('00000003'))).toBe(401); // replay
    expect(await send(header('00000001'))).toBe(200); // parallel requests arriving out of order
    expect(await send(header('00000002'))).toBe(200);
    expect(await send(header('00000001'))).toBe(401);
  });

  it('an expired nonce with good credentials answers 401 with stale=true', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const app = createApp({ authTimeout: 60 });
      const params = challenge(await app.inject('/private'));
      const authorization = authorize(params, { user: 'alice', password: 'secret', uri: '/private' });
      vi.setSystemTime(Date.now() + 61_000);
      const stale = await app.inject({ url: '/private', headers: { authorization } });
      expect(stale.status).toBe(401);
      expect(challenge(stale).stale).toBe('true');
      // stale=true promises the credentials were good: a wrong password on an old nonce is a plain 401
      const wrong = authorize(params, { user: 'alice', password: 'nope', uri: '/private' });
      const refused = await app.inject({ url: '/private', headers: { authorization: wrong } });
      expect([refused.status, challenge(refused).stale]).toEqual([401, undefined]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('answers 400 or 401 for 50+ malformed Authorization headers, never 5xx', async () => {
    const app = createApp();
    const params = challenge(await app.inject('/private'));
    const valid = authorize(params, { user: 'alice', password: 'secret', uri: '/private' });
    const malformed = [
      '',
      ' ',
      'Digest',
      'Digest ',
      'Digest ,',
      'Digest =',
      'Digest a',
      'Digest a=',
      'Digest a="',
      'Digest a="unterminated',
      'Digest a="x\\',
      'Digest a=b c=d',
      'Digest a=b,,c=d',
      'Digest a="b" "c"',
      'Digest realm="Zone", realm="Zone"',
      valid.replace('realm="Zone"', 'realm="Zone", realm="Zone"'),
      valid.replace('uri="/private"', ''),
      valid.replace(/response="[0-9a-f]+"/, ''),
      valid.replace(/nonce="[^"]+"/, ''),
      valid.replace(/nc=\w+/, 'nc=zz'),
      valid.replace(/nc=\w+/, 'nc=1'),
      valid.replace('qop=auth', 'qop=auth-int'),
      valid.replace('username="alice"', ''),
      valid.replace('username="alice"', "username*=UTF-8''%ZZ"),
      valid.replace('username="alice"', 'username="alice", username*=UTF-8\'\'alice'),
      valid.replace(/response="[0-9a-f]+"/, 'response="00"'),
      valid.replace(/response="[0-9a-f]+"/, 'response=""'),
      valid.replace('Digest', 'Basic'),
      valid.replace('Digest', 'Bearer'),
      valid.replace('Digest', 'digest').replace('alice', 'ALICE'),
      valid.replace(/opaque="[^"]+"/, 'opaque=""'),
      valid.replace(/algorithm=[\w-]+/, 'algorithm=SHA-512'),
      valid.replace(/algorithm=[\w-]+/, 'algorithm=md5'),
      valid.replace(/nonce="[^"]+"/, `nonce="${'n'.repeat(300)}"`),
      valid.replace(/nonce="[^"]+"/, 'nonce="a.b.c"'),
      valid.replace(/nonce="[^"]+"/, 'nonce="...."'),
      valid.replace(/cnonce="[^"]+"/, ''),
      `Digest ${'a=b, '.repeat(500)}`,
      `Digest username="${'x'.repeat(8000)}"`,
      'Digest username="al\tice"',
      'Digest username=al"ice',
      'Digest username="alice";',
      'Basic',
      'Basic !!!',
      'Bearer',
      '\u00ff\u00fe\u00fd',
      'Digest username="a", realm="Zone", nonce="x", uri="/private", response="y"',
      valid.toLowerCase(),
      'Digest username="a",,',
      'Digest username="a" , , realm=',
      valid.replace('uri="/private"', 'uri="/private?x=1"'),
      valid.replace('uri="/private"', 'uri="http://localhost/private"'),
    ];
    expect(malformed.length).toBeGreaterThanOrEqual(50);
    const statuses = new Map<number, number>();
    for (const authorization of malformed) {
      const reply = await app.inject({ url: '/private', headers: { authorization } });
      statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
      expect([authorization.slice(0, 60), reply.status >= 400 && reply.status < 500]).toEqual([
        authorization.slice(0, 60),
        true,
      ]);
    }
    expect([...statuses.keys()].every((status) => status < 500)).toBe(true);
    // the grammar's leeway is not refused: no spaces, a trailing comma, an unknown parameter
    const variants = [
      (header: string) => header.replace(/, /g, ','),
      (header: string) => `${header},`,
      (header: string) => `${header}, extra="ignored"`,
    ];
    for (const [index, variant] of variants.entries()) {
      const nc = `0000001${index}`;
      const header = authorize(params, { user: 'alice', password: 'secret', uri: '/private', nc });
      expect((await app.inject({ url: '/private', headers: { authorization: variant(header) } })).status).toBe(200);
    }
  });

  it('refuses before the body is read (no upload reaches the disk)', async () => {
    const uploadDir = tempDir();
    const app = new Application('refuse', { secretKey: 'k'.repeat(32), authMap: users, logger: false, uploadDir });
    app.route('/upload', () => 'stored', { methods: 'POST', before: [digest('Zone')] });
    const body = `--B\r\nContent-Disposition: form-data; name="f"; filename="a"\r\nContent-Type: text/plain\r\n\r\n${'x'.repeat(100_000)}\r\n--B--\r\n`;
    const reply = await app.inject({
      url: '/upload',
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=B' },
      body,
    });
    expect(reply.status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(readdirSync(uploadDir)).toEqual([]);
  });
});

describe('the secret key Digest needs (issue 27, 6)', () => {
  it('refuses to start without one, or with one under 32 bytes, instead of a 500 per request', async () => {
    for (const secretKey of [undefined, 'too-short']) {
      const app = new Application('no-secret', { authMap: users, logger: false, secretKey });
      app.route('/private', () => 'x', { before: [digest('Zone')] });
      await expect(app.ready()).rejects.toThrow(
        /digest\(Zone\) on \/private needs the secretKey option: at least 32 bytes/,
      );
    }
    const fine = new Application('secret', { authMap: users, logger: false, secretKey: 'k'.repeat(32) });
    fine.route('/private', () => 'x', { before: [digest('Zone')] });
    await expect(fine.ready()).resolves.toBe(fine);
  });

  it('checks app-wide guards too, and leaves apps without Digest alone', async () => {
    const app = new Application('app-wide', { authMap: users, logger: false });
    app.before(digest('Zone'));
    await expect(app.ready()).rejects.toThrow(/digest\(Zone\) \(app-wide\) needs the secretKey option/);
    const plain = new Application('plain', { logger: false });
    plain.route('/', () => 'x');
    await expect(plain.ready()).resolves.toBe(plain);
  });
});

describe('a nonce store that fails', () => {
  it('answers 503 with Retry-After (fail closed: never accept a possible replay), logs once per outage', async () => {
    let down = true;
    const log = recordingLogger();
    const flaky = {
      use: async (): Promise<boolean> => {
        if (down) throw new Error('connection refused');
        return true;
      },
    };
    const app = createApp({ nonceStore: flaky, logger: log });
    const good = { user: 'alice', password: 'secret', uri: '/private' };
    const first = await login(app, good);
    expect(first.status).toBe(503);
    expect(first.headers['retry-after']).toBe('5');
    expect((await login(app, good)).status).toBe(503);
    expect(log.lines.filter((line) => line.level !== 'debug').map((line) => line.level)).toEqual(['warn']);
    down = false;
    expect((await login(app, good)).status).toBe(200);
    down = true;
    expect((await login(app, good)).status).toBe(503);
    expect(log.lines.filter((line) => line.level !== 'debug').map((line) => line.level)).toEqual(['warn', 'warn']);
  });
});

describe('MemoryNonceStore', () => {
  it('keeps a window of 32 counts per nonce and at most `capacity` nonces', () => {
    const store = new MemoryNonceStore(2);
    expect(store.use('a', 40)).toBe(true);
    expect(store.use('a', 9)).toBe(true); // 31 behind
    expect(store.use('a', 8)).toBe(false); // 32 behind: outside the window
    expect(store.use('a', 40)).toBe(false);
    expect(store.use('b', 1)).toBe(true);
    expect(store.use('c', 1)).toBe(true); // 'a' is the least recently used: forgotten
    expect(store.use('b', 1)).toBe(false);
    expect(store.use('a', 40)).toBe(true);
  });
});

describe('HTTP Basic', () => {
  it('checks user and password with an async verify; 401 with a Basic challenge otherwise', async () => {
    const app = new Application('basic', { logger: false });
    app.route('/b', (req) => `hi ${String(req.user)}`, {
      before: [basic('Area', async (user, password) => user === 'bob' && password === 'pa:ss')],
    });
    const token = (text: string): string => `Basic ${Buffer.from(text).toString('base64')}`;
    expect((await app.inject({ url: '/b', headers: { authorization: token('bob:pa:ss') } })).text()).toBe('hi bob');
    const refused = await app.inject({ url: '/b', headers: { authorization: token('bob:nope') } });
    expect([refused.status, refused.headers['www-authenticate']]).toEqual([401, 'Basic realm="Area", charset="UTF-8"']);
    expect((await app.inject({ url: '/b', headers: { authorization: token('no colon') } })).status).toBe(400);
    expect((await app.inject({ url: '/b', headers: { authorization: 'Basic a=b, c=d' } })).status).toBe(400);
  });
});

describe('PasswordMap', () => {
  it('refuses at start-up a realm whose users share no hash family (issue 25, 9)', async () => {
    const mixed = new PasswordMap()
      .set('Mixed', 'alice', hexdigest('alice', 'Mixed', 'a'))
      .set('Mixed', 'sha', hexdigest('sha', 'Mixed', 's', 'sha256'));
    const app = new Application('mixed', { secretKey: 'k'.repeat(32), authMap: mixed, logger: false });
    app.route('/x', () => 'x', { before: [digest('Mixed')] });
    await expect(app.ready()).rejects.toThrow(
      /realm 'Mixed': its users share no hash family \(MD5 only: alice; SHA-256 only: sha\)/,
    );
    // One family in common is enough: it is what the realm's challenges offer.
    const common = new PasswordMap()
      .set('Both', 'alice', hexdigest('alice', 'Both', 'a'))
      .set('Both', 'alice', hexdigest('alice', 'Both', 'a', 'sha256'))
      .set('Both', 'bob', hexdigest('bob', 'Both', 'b', 'sha256'));
    const fine = new Application('common', { secretKey: 'k'.repeat(32), authMap: common, logger: false });
    fine.route('/x', () => 'x', { before: [digest('Both')] });
    await fine.ready();
    expect(challenge(await fine.inject('/x')).algorithm).toBe('SHA-256-sess');
  });

  it('loads and saves htdigest files atomically with mode 0600; a user may have MD5 and SHA-256 HA1s', async () => {
    const dir = tempDir();
    const path = join(dir, 'users.digest');
    writeFileSync(path, `a:Zone:${hexdigest('a', 'Zone', 'x')}\n`);
    const map = PasswordMap.loadSync(path);
    expect(map.verify('Zone', 'a', 'x')).toBe(true);
    expect(map.verify('Zone', 'a', 'y')).toBe(false);
    map.set('Zone', 'a', hexdigest('a', 'Zone', 'x', 'sha256'));
    expect(map.hashes('Zone')).toEqual(new Set(['md5', 'sha256']));
    map.set('Zone', 'b', hexdigest('b', 'Zone', 'y'));
    expect(map.hashes('Zone')).toEqual(new Set(['md5']));
    map.delete('Zone', 'b');
    expect(map.hashes('Zone')).toEqual(new Set(['md5', 'sha256']));
    map.set('Zone', 'b', hexdigest('b', 'Zone', 'y'));
    await map.save();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const again = await PasswordMap.load(path);
    expect(again.toString()).toBe(map.toString());
    expect(again.toString().split('\n').filter(Boolean)).toHaveLength(3);
    expect(() => map.set('Zo:ne', 'a', hexdigest('a', 'Zone', 'x'))).toThrow(TypeError);
    writeFileSync(path, 'broken line\n');
    await expect(PasswordMap.load(path)).rejects.toThrow(/users\.digest:1/);
  });
});
