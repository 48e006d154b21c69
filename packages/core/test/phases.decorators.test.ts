// The request lifecycle's named phases (issue 24): the order they run in whatever order they
// were registered, what each may see, and that plain requests, the default handler, fallbacks
// and upgrades go through the same phases. Compiled in both decorator modes.
import type { ServerResponse } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import {
  after,
  Application,
  before,
  controller,
  defaultHandler,
  hook,
  HTTPException,
  PHASES,
  route,
  type Request,
  type Response,
} from '../src/index.js';
import { closeServer, describeBoth, rawExchange, recordingLogger, useCleanup } from './helpers/transports.js';

const { listening } = useCleanup();

/** Records `label` and what the body looked like (`json` parsed or not) when the hook ran. */
function tracer(trace: string[], label: string) {
  return (req: Request): undefined => {
    trace.push(`${label}${req.json === undefined ? '' : ' (parsed)'}`);
    return undefined;
  };
}

function createApp(trace: string[]): Application {
  @controller('/c')
  class Traced {
    @before()
    guard(req: Request): void {
      tracer(trace, 'guard controller')(req);
    }
    @hook('preValidation')
    preValidation(req: Request): void {
      tracer(trace, 'preValidation controller')(req);
    }
    @hook('validation')
    validation(req: Request): void {
      tracer(trace, 'validation controller')(req);
    }
    @hook('preHandler')
    preHandler(req: Request): void {
      tracer(trace, 'preHandler controller')(req);
    }
    @after()
    send(_req: Request, response: Response): Response {
      trace.push('onSend controller');
      return response;
    }
    @route('/plain', ['GET', 'POST'])
    plain(req: Request): string {
      tracer(trace, 'handler')(req);
      return 'ok';
    }
    @defaultHandler(['GET', 'POST'])
    fallback(req: Request): string {
      tracer(trace, 'default handler')(req);
      return 'default';
    }
  }
  const app = new Application('phases', { logger: false });
  // App-wide hooks registered backwards: the phases, not the order of calls, decide.
  app.addHook('onResponse', (_req, res) => void trace.push(`onResponse ${res.statusCode}`));
  app.addHook('onSend', (_req, response) => {
    trace.push('onSend app');
    return response;
  });
  app.addHook('preHandler', tracer(trace, 'preHandler app'));
  app.addHook('validation', tracer(trace, 'validation app'));
  app.addHook('preValidation', tracer(trace, 'preValidation app'));
  app.addHook('guard', tracer(trace, 'guard app'));
  app.addHook('onRequest', (req) => void trace.push(`onRequest ${req.uriRule ?? 'unrouted'}`));
  app.register(Traced);
  app.route('/r', tracer(trace, 'handler'), {
    methods: 'POST',
    before: [tracer(trace, 'guard route')],
    hooks: {
      preHandler: [tracer(trace, 'preHandler route')],
      onSend: [
        (_req, response) => {
          trace.push('onSend route');
          return response;
        },
      ],
    },
  });
  app.addFallback((req) => {
    if (req.path !== '/file.txt') return undefined;
    trace.push('fallback');
    return 'a file';
  });
  return app;
}

describeBoth('the lifecycle phases', (send) => {
  const trace: string[] = [];
  const app = createApp(trace);
  afterAll(() => closeServer(app));

  /** Sends a request and returns the trace it left, once onResponse has run. */
  async function traced(request: Parameters<typeof send>[1]): Promise<string[]> {
    trace.length = 0;
    await send(app, request);
    for (let turns = 0; !trace.some((line) => line.startsWith('onResponse')) && turns < 100; turns += 1) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    return [...trace];
  }

  it('lists its phases in the order they run', () => {
    expect(PHASES).toEqual(['onRequest', 'guard', 'preValidation', 'validation', 'preHandler', 'onSend', 'onResponse']);
  });

  /** The trace of a JSON POST to a handler of the Traced controller, labelled `handler`. */
  const controllerTrace = (handler: string): string[] => [
    'onRequest unrouted',
    'guard app',
    'guard controller',
    'preValidation app (parsed)',
    'preValidation controller (parsed)',
    'validation app (parsed)',
    'validation controller (parsed)',
    'preHandler app (parsed)',
    'preHandler controller (parsed)',
    `${handler} (parsed)`,
    'onSend controller',
    'onSend app',
    'onResponse 200',
  ];
  const postJson = (url: string): Promise<string[]> =>
    traced({ url, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });

  it('runs every phase in order for a routed POST: guards on the unread body, then the parsed body', async () => {
    expect(await postJson('/c/plain')).toEqual(controllerTrace('handler'));
  });

  it("runs a route's own hooks after the app's, and its onSend hooks first", async () => {
    expect(await postJson('/r')).toEqual([
      'onRequest unrouted',
      'guard app',
      'guard route',
      'preValidation app (parsed)',
      'validation app (parsed)',
      'preHandler app (parsed)',
      'preHandler route (parsed)',
      'handler (parsed)',
      'onSend route',
      'onSend app',
      'onResponse 204', // the handler returns nothing
    ]);
  });

  it('gives the default handler the same phases, its controller’s included', async () => {
    expect(await postJson('/nowhere')).toEqual(controllerTrace('default handler'));
  });

  it('serves a fallback (static files) after the app’s guards; fallbacks read no body', async () => {
    expect(await traced('/file.txt')).toEqual([
      'onRequest unrouted',
      'guard app',
      'fallback',
      'onSend app',
      'onResponse 200',
    ]);
  });

  it('refusals of the router (405) pass the app’s guards and onSend too', async () => {
    expect(await traced({ url: '/r', method: 'GET' })).toEqual([
      'onRequest unrouted',
      'guard app',
      'onSend app',
      'onResponse 405',
    ]);
  });
});

describeBoth('what a phase may do', (send) => {
  const app = new Application('answers', { logger: false });
  app.addHook('onRequest', (req) => (req.path === '/maintenance' ? new HTTPException(503).response : undefined));
  app.addHook('onRequest', (req) => {
    if (req.raw.headers['x-down'] === '1') throw new HTTPException(503, { headers: { 'Retry-After': '60' } });
  });
  app.addHook('validation', (req) => {
    if (req.json !== undefined && typeof (req.json as { n?: unknown }).n !== 'number') throw new HTTPException(422);
  });
  app.route('/n', (req) => ({ doubled: (req.json as { n: number }).n * 2 }), 'POST');
  afterAll(() => closeServer(app));

  it('an onRequest hook answers before routing, for paths no route knows as well', async () => {
    const reply = await send(app, { url: '/not-routed', headers: { 'x-down': '1' } });
    expect(reply.status).toBe(503);
    expect(reply.header('retry-after')).toBe('60');
  });

  it('a validation hook sees the parsed body and refuses through the error handlers', async () => {
    const headers = { 'content-type': 'application/json' };
    expect((await send(app, { url: '/n', method: 'POST', headers, body: '{"n":"x"}' })).status).toBe(422);
    const fine = await send(app, { url: '/n', method: 'POST', headers, body: '{"n":4}' });
    expect(fine.json()).toEqual({ doubled: 8 });
  });
});

describe('registering hooks by phase', () => {
  it('refuses an unknown phase, a non-function and the same hook twice, and pops a hook by phase', async () => {
    const app = new Application('register', { logger: false });
    expect(() => app.addHook('preParse' as 'guard', () => undefined)).toThrow(/unknown lifecycle phase 'preParse'/);
    expect(() => app.addHook('guard', 'nope' as never)).toThrow(TypeError);
    const deny = (): string => 'denied';
    app.addHook('preHandler', deny);
    expect(() => app.addHook('preHandler', deny)).toThrow(/already registered/);
    expect(app.hooksOf('preHandler')).toEqual([deny]);
    app.route('/', () => 'allowed');
    expect((await app.inject('/')).body.toString()).toBe('denied');
    app.popHook('preHandler', deny);
    expect((await app.inject('/')).body.toString()).toBe('allowed');
    expect(() => app.popHook('preHandler', deny)).toThrow(/not registered/);
  });

  it('@hook(onRequest) and @hook(onResponse) in a controller are app-wide', async () => {
    const seen: string[] = [];
    class Watch {
      @hook('onRequest')
      arrived(req: Request): void {
        seen.push(`in ${req.path}`);
      }
      @hook('onResponse')
      done(req: Request, res: ServerResponse): void {
        seen.push(`out ${req.path} ${res.statusCode}`);
      }
      @route('/watched')
      watched(): string {
        return 'w';
      }
    }
    const app = new Application('watch', { logger: false, controllers: [Watch] });
    await app.inject('/watched');
    await app.inject('/elsewhere');
    for (let turns = 0; seen.length < 4 && turns < 100; turns += 1)
      await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['in /watched', 'out /watched 200', 'in /elsewhere', 'out /elsewhere 404']);
  });

  it('logs a failing onResponse hook and keeps serving', async () => {
    const logger = recordingLogger();
    const app = new Application('after-response', { logger });
    app.addHook('onResponse', function broken() {
      throw new Error('metrics down');
    });
    app.route('/', () => 'fine');
    expect((await app.inject('/')).status).toBe(200);
    const errors = () => logger.lines.filter((line) => line.level === 'error');
    for (let turns = 0; errors().length === 0 && turns < 100; turns += 1) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(errors()).toEqual([{ level: 'error', text: expect.stringContaining('onResponse hook broken failed') }]);
  });
});

describe('upgrades go through the same phases', () => {
  it('runs onRequest, the guards and validation before the protocol takes the socket', async () => {
    const trace: string[] = [];
    const app = new Application('upgrades', { logger: false });
    app.addProtocol('test-proto', {
      accept({ socket }) {
        trace.push('accept');
        socket.end('HTTP/1.1 101 Switching Protocols\r\nUpgrade: test-proto\r\nConnection: Upgrade\r\n\r\n');
      },
    });
    app.upgrade('test-proto', '/live', () => undefined, { hooks: { validation: [tracer(trace, 'validation route')] } });
    app.addHook('onRequest', tracer(trace, 'onRequest'));
    app.addHook('guard', (req) => {
      trace.push('guard app');
      if (req.raw.headers.authorization !== 'yes') throw new HTTPException(401);
    });
    app.addHook('preHandler', tracer(trace, 'preHandler app'));
    const port = await listening(app);
    const request = (auth: string): string =>
      `GET /live HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: test-proto\r\n${auth}\r\n`;
    const refused = await rawExchange(port, request(''), { until: /\r\n\r\n/ });
    expect(refused).toMatch(/^HTTP\/1\.1 401/);
    expect(trace).toEqual(['onRequest', 'guard app']);
    trace.length = 0;
    const accepted = await rawExchange(port, request('Authorization: yes\r\n'), { until: /\r\n\r\n/ });
    expect(accepted).toMatch(/^HTTP\/1\.1 101/);
    expect(trace).toEqual(['onRequest', 'guard app', 'validation route', 'preHandler app', 'accept']);
  });
});
