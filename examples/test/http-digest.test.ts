// examples/http-digest.ts against real clients: Python's requests (HTTPDigestAuth) and curl
// --digest, on a copy of examples/test.digest (the password change rewrites it).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '@poor/core';
import { runRequests } from '../../packages/core/test/helpers/python.js';

const here = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'poor-digest-'));
const file = join(dir, 'test.digest');
let app: Application;
let base = '';

beforeAll(async () => {
  copyFileSync(join(here, '..', 'test.digest'), file);
  process.env.POOR_DIGEST_FILE = file;
  ({ app } = (await import('../http-digest.js')) as { app: Application });
  const { port } = await app.listen({ port: 0 });
  base = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await app.close();
  delete process.env.POOR_DIGEST_FILE;
  rmSync(dir, { recursive: true, force: true });
});

function curl(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', ...args], (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    );
  });
}

describe('examples/http-digest.ts with real clients', () => {
  it("answers Python requests' HTTPDigestAuth for every user, and 401 for the wrong ones", async (context) => {
    const out = await runRequests(
      context,
      `
base = '${base}'
cases = [
    ('user', 'looser', '/user'), ('foo', 'bar', '/foo'), ('admin', 'admin', '/admin_zone'),
    ('user', 'looser', '/user_zone'), ('foo', 'bar', '/user_zone'),
    ('user', 'looser', '/spaces in url?x=1'), ('user', 'looser', '/čeština v url'), ('user', 'looser', '/crazy in url 🤪'),
    ('sha', 'sha', '/user_zone'),
    ('foo', 'bar', '/user'), ('user', 'wrong', '/user'), ('admin', 'admin', '/user_zone'), ('user', 'looser', '/unknown'),
]
for user, password, path in cases:
    r = requests.get(base + path, auth=HTTPDigestAuth(user, password))
    print(user, path, r.status_code, 'User: <b>%s</b>' % user in r.text)
print('none', requests.get(base + '/user').status_code)
`,
    );
    expect(out.trim().split('\n')).toEqual([
      'user /user 200 True',
      'foo /foo 200 True',
      'admin /admin_zone 200 True',
      'user /user_zone 200 True',
      'foo /user_zone 200 True',
      'user /spaces in url?x=1 200 True',
      'user /čeština v url 200 True',
      'user /crazy in url 🤪 200 True',
      'sha /user_zone 200 True',
      'foo /user 401 False',
      'user /user 401 False',
      'admin /user_zone 401 False',
      'user /unknown 401 False',
      'none 401',
    ]);
  });

  it('refuses a replayed Authorization header, and renews an expired nonce (stale=true) silently', async (context) => {
    app.authTimeout = 1;
    try {
      const out = await runRequests(
        context,
        `
base = '${base}'
session = requests.Session()
session.auth = HTTPDigestAuth('user', 'looser')
first = session.get(base + '/user')
print(first.status_code)
print(first.request.headers['Authorization'])
time.sleep(1.6)
again = session.get(base + '/user')
print(again.status_code, [r.status_code for r in again.history], 'stale=true' in ' '.join(r.headers.get('www-authenticate', '') for r in again.history))
`,
      );
      const [status, captured, renewed] = out.trim().split('\n');
      expect(status).toBe('200');
      expect(renewed).toBe('200 [401] True');
      const replay = await fetch(`${base}/user`, { headers: { authorization: captured as string } });
      expect(replay.status).toBe(401);
    } finally {
      app.authTimeout = 60;
    }
  });

  it("changes foo's password through the form and rewrites the file", async (context) => {
    const out = await runRequests(
      context,
      `
base = '${base}'
r = requests.post(base + '/foo/passwd', data={'password': 'n3w'}, auth=HTTPDigestAuth('foo', 'bar'), allow_redirects=False)
print(r.status_code, r.headers.get('location'))
print(requests.get(base + '/foo', auth=HTTPDigestAuth('foo', 'bar')).status_code)
print(requests.get(base + '/foo', auth=HTTPDigestAuth('foo', 'n3w')).status_code)
print(requests.post(base + '/foo/passwd', data={'password': 'x'}).status_code)
`,
    );
    expect(out.trim().split('\n')).toEqual(['302 /foo', '401', '200', '401']);
    const line = readFileSync(file, 'utf8')
      .split('\n')
      .find((entry) => entry.startsWith('foo:'));
    expect(line).toBe(`foo:User Zone:${createHash('md5').update('foo:User Zone:n3w').digest('hex')}`);
  });

  it('answers curl --digest, UTF-8 user names included', async () => {
    expect(await curl(['--digest', '-u', 'user:looser', `${base}/user`])).toBe('200');
    expect(await curl(['--digest', '-u', 'Ondřej:heslíčko', `${base}/user/utf-8`])).toBe('200');
    expect(await curl(['--digest', '-u', 'admin:admin', `${base}/admin_zone`])).toBe('200');
    expect(await curl(['--digest', '-u', 'sha:sha', `${base}/user_zone`])).toBe('200');
    expect(await curl(['--digest', '-u', 'user:wrong', `${base}/user`])).toBe('401');
    expect(await curl([`${base}/user`])).toBe('401');
  });

  it('lets sha in with SHA-256-sess too (computed by hand: the realm offers MD5-sess, the family all its users share)', async () => {
    const first = await fetch(`${base}/user_zone`);
    const header = first.headers.get('www-authenticate') ?? '';
    const nonce = /nonce="([^"]+)"/.exec(header)?.[1] as string;
    const opaque = /opaque="([^"]+)"/.exec(header)?.[1] as string;
    const sha = (text: string): string => createHash('sha256').update(text).digest('hex');
    const ha1 = sha(`${sha('sha:User Zone:sha')}:${nonce}:abc`);
    const response = sha(`${ha1}:${nonce}:00000001:abc:auth:${sha('GET:/user_zone')}`);
    const authorization =
      `Digest username="sha", realm="User Zone", nonce="${nonce}", uri="/user_zone", algorithm=SHA-256-sess, ` +
      `qop=auth, nc=00000001, cnonce="abc", response="${response}", opaque="${opaque}"`;
    const reply = await fetch(`${base}/user_zone`, { headers: { authorization } });
    expect(reply.status).toBe(200);
    expect(await reply.text()).toContain('User: <b>sha</b>');
  });
});
