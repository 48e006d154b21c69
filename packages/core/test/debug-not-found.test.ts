// Issue 27, item 8: in debug mode a 404 no route matched lists the routes near the path (a
// typo, a segment too many or too few) and links /debug-info, on the HTML page and in the
// problem details; a handler's own 404 and production mode show nothing of the routes.
import { afterAll, expect, it } from 'vitest';
import { Application, HTTPException, type ApplicationOptions } from '../src/index.js';
import { closeServer, describeBoth, type Send } from './helpers/transports.js';

function routesApp(options: ApplicationOptions): Application {
  const app = new Application('near', { logger: false, ...options });
  app.route('/user/<id:int>', (_req, id) => ({ id }));
  app.route('/users', () => []);
  app.route('/items/<name>/edit', () => 'edit', ['GET', 'POST']);
  app.route('/about', () => 'about');
  app.route('/item/<id:int>', () => {
    throw new HTTPException(404);
  });
  return app;
}

const JSON_ACCEPT = { accept: 'application/json' };

describeBoth('the debug 404', (send: Send) => {
  const debug = routesApp({ debug: true });
  const production = routesApp({});
  afterAll(async () => {
    await closeServer(debug);
    await closeServer(production);
  });

  it('lists the routes near a mistyped path, nearest first, in the problem details', async () => {
    const reply = await send(debug, { url: '/usr/7', headers: JSON_ACCEPT });
    expect(reply.status).toBe(404);
    expect(reply.json()).toMatchObject({
      status: 404,
      instance: '/usr/7',
      nearRoutes: ['GET /user/<id:int>'],
      debugInfo: '/debug-info',
    });
    const edit = await send(debug, { url: '/items/pen/edti', headers: JSON_ACCEPT });
    expect(edit.json()).toMatchObject({ nearRoutes: ['GET /items/<name>/edit', 'POST /items/<name>/edit'] });
    const missingSegment = await send(debug, { url: '/items/pen', headers: JSON_ACCEPT });
    // a one-letter typo (distance 1) is nearer than a missing segment (3)
    expect(missingSegment.json()).toMatchObject({
      nearRoutes: ['GET /item/<id:int>', 'GET /items/<name>/edit', 'POST /items/<name>/edit'],
    });
  });

  it('on the HTML page, escaped, with a link to /debug-info', async () => {
    const page = (await send(debug, '/abuot')).text();
    expect(page).toContain('<h2>Routes near /abuot</h2>');
    expect(page).toContain('<li><code>GET /about</code></li>');
    expect(page).toContain('<a href="/debug-info">/debug-info</a>');
    const nothing = (await send(debug, '/completely/elsewhere/than/any')).text();
    expect(nothing).toContain('No route is near /completely/elsewhere/than/any.');
    const hostile = (await send(debug, '/<script>')).text();
    expect(hostile).not.toContain('<script>');
  });

  it("a handler's own 404, and any 404 outside debug mode, say nothing of the routes", async () => {
    const own = await send(debug, { url: '/item/3', headers: JSON_ACCEPT });
    expect(own.status).toBe(404);
    expect(own.json()).not.toHaveProperty('nearRoutes');
    const quiet = await send(production, { url: '/usr/7', headers: JSON_ACCEPT });
    expect(quiet.json()).toEqual({ type: 'about:blank', title: 'Not Found', status: 404, instance: '/usr/7' });
    expect((await send(production, '/abuot')).text()).not.toContain('debug-info');
  });
});
