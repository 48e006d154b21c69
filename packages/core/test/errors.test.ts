import { afterAll, describe, expect, it } from 'vitest';
import { abort, Application, HTTPException, JSONResponse, redirect, Response, type Request } from '../src/index.js';
import { closeServer, describeBoth, recordingLogger } from './helpers/transports.js';

class AppError extends Error {}
class NotFoundError extends AppError {}
class DeepNotFound extends NotFoundError {}

function errorsApp(debug: boolean, logger = recordingLogger()): Application {
  const app = new Application('errors', { debug, logger });
  // registered base class first: the nearest class must still win
  app.errorHandler(AppError, (_req, error) => new Response(`app error: ${error.message}`, { status: 409 }));
  app.errorHandler(NotFoundError, (_req, error) => new Response(`not found error: ${error.message}`, { status: 404 }));
  app.errorHandler(418, (_req, extra) => new JSONResponse({ teapot: true, error: extra.error }, { status: 418 }));
  app.errorHandler(404, (req) => new Response(`custom 404 for ${req.method}`, { status: 404 }), ['GET']);
  app.route('/app-error', () => {
    throw new AppError('base');
  });
  app.route('/deep', () => {
    throw new DeepNotFound('deep');
  });
  app.route('/crash', () => {
    throw new Error('secret internal detail');
  });
  app.route('/async-crash', async () => {
    await Promise.resolve();
    throw new TypeError('async detail');
  });
  app.route('/teapot', () => abort(418, { error: 'short and stout' }));
  app.route('/ok-exception', () => {
    throw new HTTPException(200);
  });
  app.route('/gone', () => abort(410));
  app.route('/ready', () => {
    throw new HTTPException(new Response('ready made', { status: 422 }));
  });
  app.route('/redirect', () => redirect('/elsewhere', { status: 303 }));
  app.route('/forbidden', () => abort(403));
  app.route('/put-only', () => 'put', 'PUT');
  app.route('/throw-string', () => {
    throw 'a string';
  });
  return app;
}

describeBoth('errors and error handlers', (send) => {
  const logger = recordingLogger();
  const app = errorsApp(false, logger);
  afterAll(() => closeServer(app));

  it('the nearest exception class handler wins, whatever the registration order', async () => {
    const deep = await send(app, '/deep');
    expect(deep.status).toBe(404);
    expect(deep.text()).toBe('not found error: deep');
    const base = await send(app, '/app-error');
    expect(base.status).toBe(409);
  });

  it('status handlers get (req, extra)', async () => {
    const reply = await send(app, '/teapot');
    expect(reply.status).toBe(418);
    expect(reply.json()).toEqual({ teapot: true, error: 'short and stout' });
  });

  it('status handlers are per method', async () => {
    expect((await send(app, '/missing')).text()).toBe('custom 404 for GET');
    const put = await send(app, { url: '/missing', method: 'PUT' });
    expect(put.status).toBe(404);
    expect(put.text()).toContain('<!DOCTYPE html>');
  });

  it('HTTPException(200) → 204', async () => {
    expect((await send(app, '/ok-exception')).status).toBe(204);
  });

  it('any status without a handler gets a built-in page (no 501)', async () => {
    const reply = await send(app, '/gone');
    expect(reply.status).toBe(410);
    expect(reply.text()).toContain('410 - Gone');
    expect(reply.header('x-content-type-options')).toBe('nosniff');
  });

  it('HTTPException with a response sends it', async () => {
    const reply = await send(app, '/ready');
    expect(reply.status).toBe(422);
    expect(reply.text()).toBe('ready made');
  });

  it('redirect() throws a redirect', async () => {
    const reply = await send(app, '/redirect');
    expect(reply.status).toBe(303);
    expect(reply.header('location')).toBe('/elsewhere');
  });

  it('a crash → 500 without stack or message in production, logged with the stack', async () => {
    const reply = await send(app, '/crash');
    expect(reply.status).toBe(500);
    expect(reply.text()).not.toContain('secret internal detail');
    expect(reply.text()).not.toContain('at ');
    expect(
      logger.lines.some(
        (line) =>
          line.level === 'error' &&
          line.text.includes('secret internal detail') &&
          line.text.includes('errors.test.ts'),
      ),
    ).toBe(true);
    expect((await send(app, '/async-crash')).status).toBe(500);
    expect((await send(app, '/throw-string')).status).toBe(500);
  });

  it('built-in pages answer problem details (RFC 9457) when the client prefers JSON', async () => {
    const reply = await send(app, { url: '/forbidden', headers: { accept: 'application/json' } });
    expect(reply.status).toBe(403);
    expect(reply.header('content-type')).toBe('application/problem+json');
    expect(reply.json()).toEqual({ type: 'about:blank', title: 'Forbidden', status: 403, instance: '/forbidden' });
    const html = await send(app, { url: '/forbidden', headers: { accept: 'text/html,application/json;q=0.9' } });
    expect(html.header('content-type')).toBe('text/html; charset=utf-8');
  });

  it('escapes the path in built-in pages', async () => {
    const reply = await send(app, { url: '/%3Cscript%3Ealert(1)%3C/script%3E', method: 'PUT' });
    expect(reply.status).toBe(404);
    expect(reply.text()).not.toContain('<script>');
    expect(reply.text()).toContain('&#60;script&#62;');
  });
});

describe('debug 500 page', () => {
  it('shows request details and the stack only in debug mode', async () => {
    const app = errorsApp(true);
    const reply = await app.inject('/crash');
    expect(reply.status).toBe(500);
    expect(reply.text()).toContain('secret internal detail');
    expect(reply.text()).toContain('Request detail');
    expect(reply.text()).toContain('/crash');
  });
});

describe('failing error handlers and hooks', () => {
  it('an error handler that throws → the built-in 500', async () => {
    const logger = recordingLogger();
    const app = new Application('bad-handler', { logger });
    app.errorHandler(500, () => {
      throw new Error('handler broke');
    });
    app.errorHandler(RangeError, () => {
      throw new Error('class handler broke');
    });
    app.route('/a', () => {
      throw new Error('first');
    });
    app.route('/b', () => {
      throw new RangeError('range');
    });
    for (const url of ['/a', '/b']) {
      const reply = await app.inject(url);
      expect(reply.status).toBe(500);
      expect(reply.text()).toContain('500 - Internal Server Error');
    }
    expect(logger.lines.filter((line) => line.text.includes('broke')).length).toBe(2);
  });

  it('before hooks run in order and may short-circuit', async () => {
    const seen: string[] = [];
    const app = new Application('before', { logger: false });
    app.before((req: Request) => {
      seen.push(`1 ${req.path} ${req.uriRule ?? ''}`);
    });
    app.before((req: Request) => {
      seen.push('2');
      if (req.path === '/private') return new Response('denied', { status: 401 });
      if (req.path === '/abort') abort(403);
      return undefined;
    });
    app.route('/open', () => 'open');
    app.route('/private', () => 'secret');
    expect((await app.inject('/open')).text()).toBe('open');
    expect(seen).toEqual(['1 /open /open', '2']);
    expect((await app.inject('/private')).status).toBe(401);
    expect((await app.inject('/abort')).status).toBe(403);
    seen.length = 0;
    expect((await app.inject('/missing')).status).toBe(404);
    expect(seen).toEqual(['1 /missing ', '2']);
  });

  it('after hooks run on every response, errors included, and may replace it', async () => {
    const statuses: number[] = [];
    const app = new Application('after', { logger: false });
    app.after((_req, response) => {
      statuses.push(response.status);
      response.headers.set('X-After', '1');
      return response;
    });
    app.route('/ok', () => 'ok');
    app.route('/posted', () => 'posted', 'POST');
    app.route('/crash', () => {
      throw new Error('x');
    });
    for (const url of ['/ok', '/crash', '/missing']) {
      expect((await app.inject(url)).headers['x-after']).toBe('1');
    }
    expect((await app.inject({ url: '/ok', method: 'POST' })).headers['x-after']).toBe('1');
    expect(statuses).toEqual([200, 500, 404, 405]);
  });

  it('an after hook that throws → built-in 500 and later hooks do not run again', async () => {
    let second = 0;
    const app = new Application('after-crash', { logger: false });
    app.after(() => {
      throw new Error('after broke');
    });
    app.after((_req, response) => {
      second += 1;
      return response;
    });
    app.route('/', () => 'fine');
    const reply = await app.inject('/');
    expect(reply.status).toBe(500);
    expect(second).toBe(0);
  });

  it('hooks cannot be added twice and pop removes them', () => {
    const app = new Application('hooks', { logger: false });
    const hook = (): undefined => undefined;
    app.before(hook);
    expect(() => app.before(hook)).toThrow(TypeError);
    app.popBefore(hook);
    expect(() => app.popBefore(hook)).toThrow(TypeError);
    const after = (_req: Request, response: Response): Response => response;
    app.after(after);
    app.popAfter(after);
    expect(app.afterHooks).toHaveLength(0);
  });
});

describe('an exception with a default response', () => {
  const invalid = (): never =>
    abort(400, {
      error: 'invalid limit',
      fields: ['limit'],
      defaultResponse: new JSONResponse({ error: 'invalid limit' }, { status: 400 }),
    });

  it('is sent when no status handler takes the status, instead of the built-in page', async () => {
    const app = new Application('default-response', { logger: false });
    app.route('/items', invalid);
    const reply = await app.inject('/items');
    expect(reply.status).toBe(400);
    expect(reply.headers['content-type']).toMatch(/^application\/json/);
    expect(reply.json()).toEqual({ error: 'invalid limit' });
  });

  it('gives way to a status handler, which gets the extra data', async () => {
    const app = new Application('default-response-handled', { logger: false });
    app.route('/items', invalid);
    app.errorHandler(400, (_req, extra) => `reshaped: ${String(extra.error)} ${String(extra.fields)}`);
    const reply = await app.inject('/items');
    expect(reply.status).toBe(200);
    expect(reply.text()).toBe('reshaped: invalid limit limit');
  });
});
