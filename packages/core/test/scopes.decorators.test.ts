// Issue 8, bug 6: hooks declared in a controller cover that controller's routes only.
// Compiled in both decorator modes (see vitest.config.ts).
import { describe, expect, it } from 'vitest';
import {
  after,
  Application,
  before,
  controller,
  createGuardDecorator,
  defaultHandler,
  HTTPException,
  route,
  type Request,
  type Response,
} from '../src/index.js';

describe('hooks declared in a controller cover its routes only (bug 6)', () => {
  @controller('/admin')
  class Admin {
    @before()
    guard(req: Request): void {
      if (req.raw.headers.authorization !== 'Bearer admin') throw new HTTPException(401);
    }

    @after()
    stamp(_req: Request, response: Response): Response {
      response.headers.set('X-Admin', 'yes');
      return response;
    }

    @route('/panel')
    panel(): string {
      return 'panel';
    }
  }

  class Public {
    @route('/public')
    page(): string {
      return 'public';
    }

    @defaultHandler()
    fallback(): string {
      return 'fallback';
    }
  }

  class Everywhere {
    @after({ scope: 'app' })
    count(_req: Request, response: Response): Response {
      response.headers.set('X-Counted', 'yes');
      return response;
    }
  }

  it('a guard in @controller("/admin") does not answer /public or unmatched paths', async () => {
    const app = new Application('scoped', { controllers: [Admin, Public, Everywhere], logger: false });
    const panel = await app.inject('/admin/panel');
    expect([panel.status, panel.headers['x-admin'], panel.headers['x-counted']]).toEqual([401, 'yes', 'yes']);
    const allowed = await app.inject({ url: '/admin/panel', headers: { authorization: 'Bearer admin' } });
    expect([allowed.text(), allowed.headers['x-admin']]).toEqual(['panel', 'yes']);
    const open = await app.inject('/public');
    expect([open.status, open.text(), open.headers['x-admin'], open.headers['x-counted']]).toEqual([
      200,
      'public',
      undefined,
      'yes',
    ]);
    const nothing = await app.inject('/nothing');
    expect([nothing.status, nothing.text(), nothing.headers['x-admin']]).toEqual([200, 'fallback', undefined]);
  });

  it('app.popBefore(Class.prototype.hook) finds a controller hook, before or after ready()', async () => {
    const app = new Application('pop', { controllers: [Admin], logger: false });
    app.popBefore(Admin.prototype.guard);
    expect((await app.inject('/admin/panel')).text()).toBe('panel');
    app.popAfter(Admin.prototype.stamp);
    expect((await app.inject('/admin/panel')).headers['x-admin']).toBeUndefined();
    expect(() => app.popBefore(Admin.prototype.guard)).toThrow(/not registered/);
  });
});

describe('a route guard runs after its controller hooks', () => {
  const order: string[] = [];
  const guarded = createGuardDecorator('@mark', (req: Request) => void order.push(`guard ${req.path}`));

  class Marked {
    @before()
    first(req: Request): void {
      order.push(`controller ${req.path}`);
    }

    @route('/marked')
    @guarded
    marked(): string {
      return 'marked';
    }
  }

  it('app, controller, then route hooks; a controller hook popped is gone for the guarded route too', async () => {
    const app = new Application('marked', { controllers: [Marked], logger: false });
    app.before((req) => void order.push(`app ${req.path}`));
    expect((await app.inject('/marked')).text()).toBe('marked');
    expect(order.splice(0)).toEqual(['app /marked', 'controller /marked', 'guard /marked']);
    app.popBefore(Marked.prototype.first);
    await app.inject('/marked');
    expect(order).toEqual(['app /marked', 'guard /marked']);
  });
});
