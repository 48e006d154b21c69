// @checkDigest and @checkBasic on methods and classes, in both decorator modes (see vitest.config.ts).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  Application,
  checkBasic,
  checkDigest,
  controller,
  guard,
  hexdigest,
  HTTPException,
  PasswordMap,
  route,
  type InjectResponse,
  type Request,
} from '../src/index.js';

const users = new PasswordMap().set('Zone', 'alice', hexdigest('alice', 'Zone', 'secret'));

@controller('/guarded')
@checkDigest('Zone')
class Guarded {
  @route('/item/<id:int>')
  item(req: Request, id: number): string {
    return `${String(req.user)} reads item ${id + 1}`;
  }
}

class Mixed {
  @route('/open')
  open(): string {
    return 'open';
  }

  @route('/mine/<name>')
  @checkDigest('Zone', 'alice')
  mine(req: Request, name: string): string {
    return `${String(req.user)}: ${name}`;
  }

  @route('/basic')
  @checkBasic('Ops', async (user, password) => user === 'ops' && password === 'pw')
  basicPage(req: Request): string {
    return `basic ${String(req.user)}`;
  }
}

/** Answers the challenge of a first request, as a client would (MD5-sess, qop=auth). */
async function withDigest(app: Application, url: string): Promise<InjectResponse> {
  const first = await app.inject(url);
  const header = String(first.headers['www-authenticate']);
  const nonce = /nonce="([^"]+)"/.exec(header)?.[1] as string;
  const opaque = /opaque="([^"]+)"/.exec(header)?.[1] as string;
  const md5 = (text: string): string => createHash('md5').update(text).digest('hex');
  const ha1 = md5(`${md5('alice:Zone:secret')}:${nonce}:cn`);
  const response = md5(`${ha1}:${nonce}:00000001:cn:auth:${md5(`GET:${url}`)}`);
  const authorization =
    `Digest username="alice", realm="Zone", nonce="${nonce}", uri="${url}", algorithm=MD5-sess, qop=auth, ` +
    `nc=00000001, cnonce="cn", response="${response}", opaque="${opaque}"`;
  return app.inject({ url, headers: { authorization } });
}

describe('authentication decorators', () => {
  const app = new Application('auth', {
    secretKey: 's'.repeat(32),
    authMap: users,
    controllers: [Guarded, Mixed],
    logger: false,
  });

  it('@checkDigest on a class guards every route of the controller, route parameters included', async () => {
    expect((await app.inject('/guarded/item/41')).status).toBe(401);
    expect((await withDigest(app, '/guarded/item/41')).text()).toBe('alice reads item 42');
  });

  it('@checkDigest on a method guards that route only', async () => {
    expect((await app.inject('/open')).text()).toBe('open');
    expect((await app.inject('/mine/notes')).status).toBe(401);
    expect((await withDigest(app, '/mine/notes')).text()).toBe('alice: notes');
  });

  it('@checkBasic with an async verify', async () => {
    const token = Buffer.from('ops:pw').toString('base64');
    expect((await app.inject({ url: '/basic', headers: { authorization: `Basic ${token}` } })).text()).toBe(
      'basic ops',
    );
    expect((await app.inject('/basic')).headers['www-authenticate']).toBe('Basic realm="Ops", charset="UTF-8"');
  });
});

describe('@guard(fn) on a class and on a method', () => {
  const requireToken = (req: Request): void => {
    if (req.headers.get('x-token') !== 'ok') throw new HTTPException(401);
  };
  const requireAdmin = (req: Request): string | undefined =>
    req.headers.get('x-role') === 'admin' ? undefined : 'admins only';

  @guard(requireToken)
  @controller('/api')
  class Api {
    @route('/items')
    items(): string {
      return 'items';
    }

    @guard(requireAdmin)
    @route('/admin')
    admin(): string {
      return 'admin';
    }
  }

  it('guards every route of the class, and one method more', async () => {
    const app = new Application('guards', { logger: false, controllers: [Api] });
    const get = async (url: string, headers: Record<string, string> = {}) => {
      const reply = await app.inject({ url, headers });
      return `${reply.status} ${reply.body.toString()}`;
    };
    expect((await get('/api/items')).startsWith('401')).toBe(true);
    expect(await get('/api/items', { 'x-token': 'ok' })).toBe('200 items');
    expect(await get('/api/admin', { 'x-token': 'ok' })).toBe('200 admins only');
    expect(await get('/api/admin', { 'x-token': 'ok', 'x-role': 'admin' })).toBe('200 admin');
  });
});
