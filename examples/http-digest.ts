// The "http-digest" example: a port of PoorWSGI's examples/http_digest.py with the same URLs.
// Users and HA1s come from examples/test.digest (user/looser, foo/bar, Ondřej/heslíčko,
// sha/sha, admin/admin), or from the file named by POOR_DIGEST_FILE. Upstream's file gives sha
// only a SHA-256 HA1 in a realm of MD5 users, so no client could sign in as sha (a client picks
// one algorithm for a realm): here sha has an MD5 HA1 too, and the app refuses such a mix.
// Run: npm run example -- http-digest, then e.g. curl --digest -u user:looser localhost:8080/user
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Application,
  checkDigest,
  escapeHtml,
  hexdigest,
  htmlPage,
  PasswordMap,
  redirect,
  route,
  type Request,
} from '@poor/core';
import { serve } from './serve.js';

const file = process.env.POOR_DIGEST_FILE ?? join(dirname(fileURLToPath(import.meta.url)), 'test.digest');
const users = PasswordMap.loadSync(file);

const LINKS: Array<[string, string]> = [
  ['/admin_zone', 'Admin Zone (admin/admin)'],
  ['/user_zone', 'User Zone (any user)'],
  ['/user', 'only user (user/looser)'],
  ['/user/utf-8', 'only Ondřej (Ondřej/heslíčko)'],
  ['/foo', 'only foo (foo/bar), with a password change'],
  ['/unknown', 'a user that does not exist'],
  ['/spaces in url', 'spaces in url'],
  ['/čeština v url', 'čeština v url'],
  ['/crazy in url 🤪', 'crazy in url 🤪'],
];

/** A page streamed as a generator (chunked, no Content-Length), as upstream's were. */
function* page(title: string, body: string): Generator<string> {
  yield htmlPage(title, `${body}\n<p><a href="/">back to the index</a></p>`);
}

function whoami(req: Request): string {
  return `<p>User: <b>${escapeHtml(String(req.user))}</b></p>\n<p>Path: <code>${escapeHtml(req.path)}</code></p>`;
}

class HttpDigest {
  @route('/')
  index(): Generator<string> {
    const items = LINKS.map(([href, label]) => `<li><a href="${encodeURI(href)}">${escapeHtml(label)}</a></li>`);
    return page('HTTP Digest example', `<ul>\n${items.join('\n')}\n</ul>`);
  }

  @route('/admin_zone')
  @checkDigest('Admin Zone')
  adminZone(req: Request): Generator<string> {
    return page(
      'Admin Zone',
      `<p>Admin Zone test for ${escapeHtml(req.app.authAlgorithm)} algorithm.</p>${whoami(req)}`,
    );
  }

  @route('/user_zone')
  @checkDigest('User Zone')
  userZone(req: Request): Generator<string> {
    return page('User Zone', whoami(req));
  }

  @route('/user')
  @checkDigest('User Zone', 'user')
  user(req: Request): Generator<string> {
    return page('Only user', whoami(req));
  }

  @route('/user/utf-8')
  @checkDigest('User Zone', 'Ondřej')
  utf8(req: Request): Generator<string> {
    return page('Only Ondřej', whoami(req));
  }

  @route('/foo')
  @checkDigest('User Zone', 'foo')
  foo(req: Request): Generator<string> {
    const form =
      '<form method="post" action="/foo/passwd"><label>New password <input type="password" name="password"></label> ' +
      '<button>Change</button></form>';
    return page('Only foo', whoami(req) + form);
  }

  @route('/foo/passwd', 'POST')
  @checkDigest('User Zone', 'foo')
  async passwd(req: Request): Promise<never> {
    const password = req.form.getFirst('password');
    if (typeof password !== 'string' || password === '') redirect('/foo', 303);
    users.replace('User Zone', 'foo', hexdigest('foo', 'User Zone', password));
    await users.save(); // the file is rewritten (atomically): the new password survives a restart
    redirect('/foo');
  }

  @route('/unknown')
  @checkDigest('User Zone', 'unknown')
  unknown(): never {
    throw new Error('no user called unknown exists: this is never reached');
  }

  @route('/spaces in url')
  @route('/čeština v url')
  @route('/crazy in url 🤪')
  @checkDigest('User Zone')
  anyPath(req: Request): Generator<string> {
    return page(req.path, whoami(req));
  }
}

export const app = new Application('http_digest', {
  debug: true,
  secretKey: randomBytes(32).toString('hex'),
  authAlgorithm: 'MD5-sess',
  authQop: 'auth',
  authTimeout: 60,
  authMap: users,
  controllers: [HttpDigest],
});

if (process.argv[1] === fileURLToPath(import.meta.url)) await serve(app);
