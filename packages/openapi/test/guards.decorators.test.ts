// Validation runs after every guard (issue 24). For each kind of guard, with @poor/openapi
// installed through `addOns`, with `app.use` before the guards and after them, an
// unauthenticated request is refused by its guard before any byte of its body is read: no
// 400 describing the schema, no 413, no upload bytes handed to storage. Authenticated requests
// are validated as before. Runs through inject() and over a real socket, in both decorator modes.
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import {
  Application,
  basic,
  before,
  checkDigest,
  controller,
  digest,
  hexdigest,
  HTTPException,
  PasswordMap,
  route,
  type AddOn,
  type BeforeHook,
  type Request,
} from '@poor/core';
import { authorize, challenge } from '../../core/test/helpers/digest-client.js';
import { closeServer, describeBoth, type Reply, type Send } from './transports.js';
import { apiOf, openapi } from '../src/index.js';

const TOKEN = 'let-me-in';
const LIMIT = 2048;
const users = new PasswordMap().set('Zone', 'alice', hexdigest('alice', 'Zone', 'secret'));

const document = {
  openapi: '3.0.3',
  info: { title: 'guarded', version: '1' },
  paths: {
    '/items': {
      post: {
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['name'],
                properties: { name: { type: 'string', minLength: 1 } },
              },
            },
          },
        },
        responses: { '200': { description: 'created' } },
      },
    },
    '/uploads': {
      post: {
        requestBody: {
          required: true,
          content: {
            'multipart/form-data': {
              schema: {
                type: 'object',
                required: ['title', 'file'],
                properties: { title: { type: 'string', maxLength: 20 }, file: { type: 'string', format: 'binary' } },
              },
            },
          },
        },
        responses: { '200': { description: 'stored' } },
      },
    },
  },
};

/** A token guard: 401 unless `X-Token` is right. */
const tokenGuard: BeforeHook = (req) => {
  if (req.headers.get('x-token') !== TOKEN) throw new HTTPException(401, { headers: { 'WWW-Authenticate': 'Token' } });
};

function created(req: Request): unknown {
  return { created: apiOf<{ body: { name: string } }>(req).body.name };
}
function stored(req: Request): unknown {
  return { title: apiOf<{ body: { title: string } }>(req).body.title };
}

@controller()
class BeforeGuarded {
  @before()
  guard(req: Request): void {
    tokenGuard(req);
  }
  @route('/items', 'POST')
  create(req: Request): unknown {
    return created(req);
  }
  @route('/uploads', 'POST')
  upload(req: Request): unknown {
    return stored(req);
  }
}

@checkDigest('Zone')
@controller()
class DigestOnClass {
  @route('/items', 'POST')
  create(req: Request): unknown {
    return created(req);
  }
  @route('/uploads', 'POST')
  upload(req: Request): unknown {
    return stored(req);
  }
}

@controller()
class DigestOnMethods {
  @checkDigest('Zone')
  @route('/items', 'POST')
  create(req: Request): unknown {
    return created(req);
  }
  @checkDigest('Zone')
  @route('/uploads', 'POST')
  upload(req: Request): unknown {
    return stored(req);
  }
}

type Auth = 'token' | 'digest' | 'basic';

interface Kind {
  name: string;
  auth: Auth;
  /** Registers the guarded routes on the app. */
  install(app: Application): void;
}

const KINDS: Kind[] = [
  {
    name: 'app.before',
    auth: 'token',
    install: (app) => app.before(tokenGuard).route('/items', created, 'POST').route('/uploads', stored, 'POST'),
  },
  { name: 'controller @before()', auth: 'token', install: (app) => app.register(BeforeGuarded) },
  { name: '@checkDigest on the class', auth: 'digest', install: (app) => app.register(DigestOnClass) },
  { name: '@checkDigest on a method', auth: 'digest', install: (app) => app.register(DigestOnMethods) },
  {
    name: "a route's before option",
    auth: 'digest',
    install: (app) =>
      app
        .route('/items', created, { methods: 'POST', before: [digest('Zone')] })
        .route('/uploads', stored, { methods: 'POST', before: [digest('Zone')] }),
  },
  {
    name: 'basic()',
    auth: 'basic',
    install: (app) => app.before(basic('Zone', (user, password) => user === 'alice' && password === 'secret')),
  },
];

const ORDERS = ['addOns option', 'app.use before the guards', 'app.use after the guards'] as const;

/** An app with one kind of guard and openapi installed in one order; `stored` counts the upload bytes storage received. */
function createApp(kind: Kind, order: (typeof ORDERS)[number]): { app: Application; stored: { bytes: number } } {
  const count = { bytes: 0 };
  const validation: AddOn = openapi(document);
  const app = new Application('guarded', {
    secretKey: 'k'.repeat(32),
    authMap: users,
    logger: false,
    limits: { body: LIMIT },
    fileCallback: () =>
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          count.bytes += chunk.length;
          done();
        },
      }),
    ...(order === 'addOns option' ? { addOns: [validation] } : {}),
  });
  if (order === 'app.use before the guards') app.use(validation);
  kind.install(app);
  if (kind.name === 'basic()') app.route('/items', created, 'POST').route('/uploads', stored, 'POST');
  if (order === 'app.use after the guards') app.use(validation);
  return { app, stored: count };
}

const BOUNDARY = 'poor-guard-boundary';
function multipart(title: string, fileBytes: number): Buffer {
  return Buffer.concat([
    Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="title"\r\n\r\n${title}\r\n` +
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n` +
        'Content-Type: application/octet-stream\r\n\r\n',
    ),
    Buffer.alloc(fileBytes, 0x61),
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ]);
}
const MULTIPART = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` };
const JSON_TYPE = { 'content-type': 'application/json' };

/** Headers that authenticate a request of `method url`, for the kind's guard (digest: after a challenge). */
async function credentials(send: Send, app: Application, auth: Auth, url: string): Promise<Record<string, string>> {
  if (auth === 'token') return { 'x-token': TOKEN };
  if (auth === 'basic') return { authorization: `Basic ${Buffer.from('alice:secret').toString('base64')}` };
  const refused = await send(app, { url, method: 'POST', headers: JSON_TYPE, body: '{}' });
  expect(refused.status).toBe(401);
  const params = challenge(refused.header('www-authenticate'));
  return { authorization: authorize(params, { user: 'alice', password: 'secret', uri: url, method: 'POST' }) };
}

function expectRefusedByGuard(reply: Reply, auth: Auth): void {
  expect(reply.status, reply.text()).toBe(401);
  // The guard's own challenge, not @poor/openapi's JSON error describing the schema.
  const scheme = { token: 'Token', digest: 'Digest', basic: 'Basic' }[auth];
  expect(reply.header('www-authenticate')).toContain(scheme);
  expect(reply.text()).not.toContain('required property');
}

describeBoth('validation after every guard', (send) => {
  for (const kind of KINDS) {
    for (const order of ORDERS) {
      describe(`${kind.name}, openapi through the ${order}`, () => {
        const { app, stored } = createApp(kind, order);
        afterAll(() => closeServer(app));

        it('an unauthenticated POST with an invalid body gets the guard’s 401, not a 400', async () => {
          const reply = await send(app, { url: '/items', method: 'POST', headers: JSON_TYPE, body: '{"nom":1}' });
          expectRefusedByGuard(reply, kind.auth);
        });

        it('an unauthenticated upload gets 401 and storage receives 0 bytes', async () => {
          const before = stored.bytes;
          const body = multipart('hello', 200_000);
          const reply = await send(app, { url: '/uploads', method: 'POST', headers: MULTIPART, body });
          expectRefusedByGuard(reply, kind.auth);
          expect(stored.bytes - before).toBe(0);
        });

        it('an unauthenticated oversized body gets 401, not 413', async () => {
          const body = JSON.stringify({ name: 'x'.repeat(LIMIT * 2) });
          const reply = await send(app, { url: '/items', method: 'POST', headers: JSON_TYPE, body });
          expectRefusedByGuard(reply, kind.auth);
        });

        it('an authenticated request is validated as before: 400 when invalid, 413 when too big, 200 when valid', async () => {
          const post = async (body: string): Promise<Reply> =>
            send(app, {
              url: '/items',
              method: 'POST',
              headers: { ...JSON_TYPE, ...(await credentials(send, app, kind.auth, '/items')) },
              body,
            });
          const invalid = await post('{"nom":1}');
          expect(invalid.status).toBe(400);
          expect(invalid.json<{ detail: string }>().detail).toBe("the body must have required property 'name'");
          expect((await post(JSON.stringify({ name: 'x'.repeat(LIMIT * 2) }))).status).toBe(413);
          const valid = await post('{"name":"pear"}');
          expect(valid.status).toBe(200);
          expect(valid.json()).toEqual({ created: 'pear' });
        });

        it('an authenticated upload reaches storage and is validated', async () => {
          const before = stored.bytes;
          const headers = { ...MULTIPART, ...(await credentials(send, app, kind.auth, '/uploads')) };
          const reply = await send(app, { url: '/uploads', method: 'POST', headers, body: multipart('hello', 5000) });
          expect(reply.status, reply.text()).toBe(200);
          expect(reply.json()).toEqual({ title: 'hello' });
          expect(stored.bytes - before).toBe(5000);
          const again = { ...MULTIPART, ...(await credentials(send, app, kind.auth, '/uploads')) };
          const tooLong = await send(app, {
            url: '/uploads',
            method: 'POST',
            headers: again,
            body: multipart('a title far too long for the schema', 10),
          });
          expect(tooLong.status).toBe(400);
        });
      });
    }
  }
});

describeBoth("@poor/openapi's own security checks run in the validation phase, after the guards", (send) => {
  const secured = {
    ...document,
    components: { securitySchemes: { Key: { type: 'apiKey', in: 'header', name: 'X-API-Key' } } },
    security: [{ Key: [] }],
  };
  const app = new Application('keyed', { secretKey: 'k'.repeat(32), authMap: users, logger: false });
  app.use(openapi(secured, { security: { Key: (key) => key === 'k1' } }));
  app.route('/items', created, { methods: 'POST', before: [digest('Zone')] });
  afterAll(() => closeServer(app));
  const body = '{"name":"pear"}';

  it('without credentials of either kind: the guard answers first', async () => {
    expectRefusedByGuard(await send(app, { url: '/items', method: 'POST', headers: JSON_TYPE, body }), 'digest');
  });

  it('past the guard without the API key: the problem details 401 of @poor/openapi', async () => {
    const headers = { ...JSON_TYPE, ...(await credentials(send, app, 'digest', '/items')) };
    const reply = await send(app, { url: '/items', method: 'POST', headers, body });
    expect(reply.status).toBe(401);
    expect(reply.header('content-type')).toBe('application/problem+json');
    expect(reply.json<{ errors: Array<{ in: string }> }>().errors[0]?.in).toBe('header');
  });

  it('past the guard with the API key: validated and handled', async () => {
    const headers = { ...JSON_TYPE, 'x-api-key': 'k1', ...(await credentials(send, app, 'digest', '/items')) };
    const reply = await send(app, { url: '/items', method: 'POST', headers, body });
    expect(reply.status).toBe(200);
    expect(reply.json()).toEqual({ created: 'pear' });
  });
});
