// The "session" example: a port of PoorWSGI's examples/session.py with the same URLs. The
// log-in is a signed JWT (HS256, `jose`) kept in a plain `Session` cookie: the cookie itself
// has no integrity, the token's signature and expiry give it.
// Run: npm run example -- session (password: secret)
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { errors, jwtVerify, SignJWT } from 'jose';
import { Application, escapeHtml, htmlPage, RedirectResponse, route, Session, type Request } from '@poor/core';
import { serve } from './serve.js';

const key = randomBytes(32);
const LIFETIME = 3600;
const PASSWORD = 'secret';

/** A page streamed as a generator, as upstream's were. */
function* page(title: string, body: string): Generator<string> {
  yield htmlPage(title, `${body}\n<footer><small>Session + JWT example — Poor</small></footer>`);
}

const LOGIN_FORM = `<form method="post" action="/login">
<label>Username <input name="username" autocomplete="username"></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button>Log in</button></form>
<p>Password is: ${PASSWORD}</p>`;

function redirectWith(location: string, text = ''): RedirectResponse {
  return new RedirectResponse(location, { message: text });
}

class SessionDemo {
  @route('/')
  index(): Generator<string> {
    const links = ['/login', '/private', '/logout'].map((href) => `<li><a href="${href}">${href}</a></li>`);
    return page('Session + JWT demo', `<ul>${links.join('')}</ul>`);
  }

  @route('/login', ['GET', 'POST'])
  async login(req: Request): Promise<unknown> {
    if (req.method !== 'POST') return page('Log in', LOGIN_FORM);
    const username = String(req.form.getFirst('username', '')).trim();
    if (!username || req.form.getFirst('password') !== PASSWORD) return redirectWith('/login');
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(username)
      .setExpirationTime(Math.floor(Date.now() / 1000) + LIFETIME)
      .sign(key);
    const session = new Session({ sameSite: 'Lax' }).load(req);
    session.data = token; // a JWT is base64url and dots: valid cookie octets as it is
    const response = redirectWith('/private');
    session.header(response);
    return response;
  }

  @route('/private')
  async private(req: Request): Promise<unknown> {
    const token = new Session().load(req).data;
    if (!token) return redirectWith('/login', 'Login required');
    try {
      const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'] });
      const user = escapeHtml(payload.sub ?? '');
      return page(
        'Private page',
        `<p>Hello, <strong>${user}</strong>!</p>\n<p>Your token expires at Unix time ${String(payload.exp)}.</p>\n<p><a href="/logout">Log out</a></p>`,
      );
    } catch (error) {
      if (error instanceof errors.JOSEError) return redirectWith('/login', 'Session expired or invalid');
      throw error;
    }
  }

  @route('/logout')
  logout(req: Request): RedirectResponse {
    const session = new Session().load(req);
    session.destroy();
    const response = redirectWith('/login');
    session.header(response);
    return response;
  }
}

export const app = new Application('session', { debug: true, controllers: [SessionDemo] });

if (process.argv[1] === fileURLToPath(import.meta.url)) await serve(app);
