// The "poor-session" example: a port of PoorWSGI's examples/poor_session.py (and of the
// aes_session.py one, whose routes are the same): log-in, private page and log-out with a
// PoorSession — the user is sealed in the cookie with AES-256-GCM, no server-side state.
// Run: npm run example -- poor-session (password: secret)
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  Application,
  errorHandler,
  escapeHtml,
  htmlPage,
  PoorSession,
  rateLimited,
  RedirectResponse,
  route,
  SessionError,
  type Request,
} from '@poor/core';
import { serve } from './serve.js';

const PASSWORD = 'secret';

interface Data {
  user?: string;
}

function* page(title: string, body: string): Generator<string> {
  yield htmlPage(title, `${body}\n<footer><small>PoorSession example — Poor</small></footer>`);
}

const LOGIN_FORM = `<form method="post" action="/login">
<label>Username <input name="username" autocomplete="username"></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button>Log in</button></form>
<p>Password is: ${PASSWORD}</p>`;

function redirectWith(location: string, text = ''): RedirectResponse {
  return new RedirectResponse(location, { message: text });
}

class PoorSessionDemo {
  @route('/')
  index(): Generator<string> {
    const links = ['/login', '/private', '/logout'].map((href) => `<li><a href="${href}">${href}</a></li>`);
    return page('PoorSession demo', `<ul>${links.join('')}</ul>`);
  }

  // Guessing the password is slow: 20 tries a minute per client address, refused with 429
  // before the form is read (docs/rate-limiting.md).
  @rateLimited({ limit: 20, window: 60, name: 'login', key: (req) => (req.method === 'POST' ? req.ip : undefined) })
  @route('/login', ['GET', 'POST'])
  login(req: Request): unknown {
    if (req.method !== 'POST') return page('Log in', LOGIN_FORM);
    const username = String(req.form.getFirst('username', '')).trim();
    if (!username || req.form.getFirst('password') !== PASSWORD) return redirectWith('/login');
    const session = new PoorSession<Data>(req.secretKey).load(req);
    session.data = { user: username };
    const response = redirectWith('/private');
    session.header(response);
    return response;
  }

  @route('/private')
  private(req: Request): unknown {
    const session = new PoorSession<Data>(req.secretKey).load(req); // SessionError when forged
    if (!session.data.user) return redirectWith('/login', 'Login required');
    const response = page(
      'Private page',
      `<p>Hello, <strong>${escapeHtml(session.data.user)}</strong>!</p>\n` +
        '<p>Your session is stored in an encrypted cookie (no external dependencies).</p>\n<p><a href="/logout">Log out</a></p>',
    );
    return response;
  }

  @route('/logout')
  logout(req: Request): RedirectResponse {
    const session = new PoorSession<Data>(req.secretKey);
    session.destroy();
    const response = redirectWith('/login');
    session.load({ cookies: {}, scheme: req.scheme }).header(response);
    return response;
  }

  @errorHandler(SessionError)
  invalid(): RedirectResponse {
    return redirectWith('/login', 'Invalid session');
  }
}

export const app = new Application('poor_session', {
  debug: true,
  secretKey: randomBytes(32).toString('hex'),
  controllers: [PoorSessionDemo],
});

if (process.argv[1] === fileURLToPath(import.meta.url)) await serve(app);
