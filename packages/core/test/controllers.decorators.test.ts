// Compiled twice by vitest: once with TC39 decorators (project "standard") and once with
// `experimentalDecorators` (project "legacy"). Both runs must behave the same.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  after,
  Application,
  before,
  controller,
  createMemberDecorator,
  defaultHandler,
  errorHandler,
  HTTPException,
  Response,
  route,
  type HTTPExceptionExtra,
  type Request,
} from '../src/index.js';
import { readControllerMetadata } from '../src/decorators/decorators.js';

class ValidationError extends Error {}

@controller('/api')
class Users {
  readonly users = new Map<number, string>([[1, 'alice']]);
  hooks: string[] = [];

  @route('/user/<id:int>', ['GET', 'DELETE'])
  user(req: Request, id: number): unknown {
    if (req.method === 'DELETE') return { deleted: id };
    const name = this.users.get(id);
    if (!name) throw new HTTPException(404);
    return { id, name, typeofId: typeof id };
  }

  @route('/user/<id:int>/<field:word>')
  field(_req: Request, id: number, field: string): string {
    return `${field} of ${id}`;
  }

  @route('/user', 'POST')
  create(): Response {
    return new Response('created', { status: 201 });
  }

  @route('/invalid')
  invalid(): never {
    throw new ValidationError('bad input');
  }

  @errorHandler(404)
  notFound(req: Request, extra: HTTPExceptionExtra): Response {
    return new Response(`nope: ${req.path} ${String(extra.error ?? '')}`, { status: 404 });
  }

  @errorHandler(ValidationError)
  validation(_req: Request, error: ValidationError): Response {
    return new Response(`invalid: ${error.message}`, { status: 422 });
  }

  @before()
  stampIn(req: Request): void {
    this.hooks.push(`before ${req.path}`);
  }

  @after()
  stampOut(_req: Request, response: Response): Response {
    response.headers.set('X-Controller', 'Users');
    return response;
  }

  @defaultHandler(['GET', 'POST'])
  fallback(req: Request): string {
    return `fallback ${req.method} ${req.path}`;
  }
}

class Base {
  @route('/base')
  base(): string {
    return 'from base';
  }

  @route('/overridden')
  overridden(): string {
    return 'base version';
  }
}

class Derived extends Base {
  @route('/derived')
  derived(): string {
    return 'from derived';
  }

  @route('/overridden')
  override overridden(): string {
    return 'derived version';
  }
}

class WithState {
  constructor(private readonly greeting: string) {}

  @route('/greet/<name>')
  greet(_req: Request, name: string): string {
    return `${this.greeting}, ${name}`;
  }
}

describe('controllers with decorators', () => {
  const app = new Application('controllers', { controllers: [Users], logger: false });

  it('registers prefixed routes with typed, converted parameters and `this` bound', async () => {
    const reply = await app.inject('/api/user/1');
    expect(reply.json()).toEqual({ id: 1, name: 'alice', typeofId: 'number' });
    expect((await app.inject('/api/user/1/email')).text()).toBe('email of 1');
    expect((await app.inject({ url: '/api/user/5', method: 'DELETE' })).json()).toEqual({ deleted: 5 });
    expect((await app.inject({ url: '/api/user', method: 'POST' })).status).toBe(201);
  });

  it('uses the status and class error handlers', async () => {
    const missing = await app.inject('/api/user/9');
    expect(missing.status).toBe(404);
    expect(missing.text()).toBe('nope: /api/user/9 ');
    const invalid = await app.inject('/api/invalid');
    expect(invalid.status).toBe(422);
    expect(invalid.text()).toBe('invalid: bad input');
  });

  it('runs the before and after hooks', async () => {
    const reply = await app.inject('/api/user/1');
    expect(reply.headers['x-controller']).toBe('Users');
  });

  it('serves unmatched requests with the default handler', async () => {
    expect((await app.inject({ url: '/elsewhere', method: 'POST' })).text()).toBe('fallback POST /elsewhere');
  });

  it('accepts instances, so controllers can take constructor arguments', async () => {
    const withState = new Application('instances', { controllers: [new WithState('Hello')], logger: false });
    expect((await withState.inject('/greet/Bob')).text()).toBe('Hello, Bob');
  });

  it('registers after construction with app.register()', async () => {
    const late = new Application('late', { logger: false });
    late.register(Users);
    expect((await late.inject('/api/user/1')).status).toBe(200);
  });

  it('inherits decorated methods; a redecorated override replaces the base route', async () => {
    const inherited = new Application('inherit', { controllers: [Derived], logger: false });
    expect((await inherited.inject('/base')).text()).toBe('from base');
    expect((await inherited.inject('/derived')).text()).toBe('from derived');
    expect((await inherited.inject('/overridden')).text()).toBe('derived version');
  });

  it('names bound handlers Class.method for logs and the debug page', async () => {
    await app.ready();
    const found = app.router.match('GET', '/api/user/1');
    expect(found.kind === 'found' && found.handler.name).toBe('Users.user');
  });

  it('records metadata on the class only (no global registry)', () => {
    const metadata = readControllerMetadata(Users);
    expect(metadata.prefix).toBe('/api');
    expect(metadata.members.map((member) => `${member.kind}:${String(member.key)}`)).toEqual([
      'route:user',
      'route:field',
      'route:create',
      'route:invalid',
      'error:notFound',
      'error:validation',
      'before:stampIn',
      'after:stampOut',
      'default:fallback',
    ]);
    class Plain {}
    expect(readControllerMetadata(Plain).members).toEqual([]);
  });
});

describe('logs name the controller method', () => {
  it('an unsupported return value is logged with Class.method', async () => {
    const lines: string[] = [];
    class Returns {
      // @ts-expect-error a number is no response: the types refuse it, and so does the run time
      @route('/number')
      number(): number {
        return 42;
      }
    }
    const record = (...args: unknown[]): void => {
      lines.push(args.map(String).join(' '));
    };
    const app = new Application('names', {
      controllers: [Returns],
      logger: { error: record, warn: record, info: record },
    });
    expect((await app.inject('/number')).status).toBe(500);
    expect(lines.some((line) => line.includes('Returns.number') && line.includes('(number)'))).toBe(true);
  });
});

describe('decorator mistakes', () => {
  it('a route registered twice for the same method throws a TypeError naming it', async () => {
    class Twice {
      @route('/same')
      one(): string {
        return '1';
      }

      @route('/same')
      two(): string {
        return '2';
      }
    }
    // members are resolved when the app gets ready: ready(), listen() and inject() say it
    const app = new Application('twice', { controllers: [Twice], logger: false });
    await expect(app.ready()).rejects.toThrow(/'\/same' is already registered for GET/);
    // a server of your own that skipped ready(): each request is a 500, logged once, no crash
    const errors: unknown[] = [];
    const served = new Application('twice-served', {
      controllers: [Twice],
      logger: { error: (...args: unknown[]) => errors.push(args), warn() {}, info() {} },
    });
    const server = createServer(served.handler).listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      for (let index = 0; index < 2; index += 1) {
        const reply = await fetch(`http://127.0.0.1:${port}/same`);
        expect([reply.status, await reply.text()]).toEqual([500, 'The application failed to start.\n']);
      }
      expect(errors).toHaveLength(1);
    } finally {
      server.close();
    }
  });

  it('a decorator on a static method throws a TypeError', () => {
    const define = (): unknown => {
      class StaticRoute {
        @route('/static')
        static handler(): string {
          return '';
        }
      }
      return StaticRoute;
    };
    expect(define).toThrow(TypeError);
  });

  it('a decorator on a field throws a TypeError', () => {
    const fieldDecorator = createMemberDecorator<[]>({
      kind: 'route',
      path: '/field',
      methods: undefined,
    }) as unknown as (...args: unknown[]) => void;
    const define = (): unknown => {
      class FieldRoute {
        @fieldDecorator
        handler = 'not a method';
      }
      return FieldRoute;
    };
    expect(define).toThrow(/decorates methods only/);
  });

  it('a class with no decorated member is refused at register()', () => {
    class Plain {
      index(): string {
        return 'never routed';
      }
    }
    const app = new Application('plain', { logger: false });
    expect(() => app.register(Plain)).toThrow(TypeError);
    expect(() => app.register(Plain)).toThrow(/Plain has no decorated members/);
    expect(() => new Application('plain2', { logger: false, controllers: [new Plain()] })).toThrow(/Plain has no/);
  });

  it("an add-on's kind names its add-on when it is missing", async () => {
    const named = createMemberDecorator<[req: Request]>({
      kind: 'named',
      path: '/n',
      methods: undefined,
      addOn: 'app.use(named()) from @example/named',
    });
    class UsesNamed {
      @named
      handle(): void {}
    }
    const app = new Application('named', { controllers: [UsesNamed], logger: false });
    await expect(app.ready()).rejects.toThrow(
      "no add-on handles '@named' members (UsesNamed.handle); install it with app.use(named()) from @example/named",
    );
  });

  it('an add-on kind nobody handles is refused with a hint; the add-on may come later', async () => {
    const custom = createMemberDecorator<[req: Request]>({ kind: 'custom', path: '/c', methods: undefined });
    class UsesCustom {
      @custom
      handle(): void {}
    }
    const missing = new Application('custom', { controllers: [UsesCustom], logger: false });
    await expect(missing.inject('/c')).rejects.toThrow(/no add-on handles '@custom' members \(UsesCustom\.handle\)/);
    // the order of lines does not matter: the kind is known by the time the app gets ready
    const app = new Application('custom2', { controllers: [UsesCustom], logger: false });
    const seen: string[] = [];
    app.use((added) => added.registerMemberKind('custom', (item) => seen.push(item.pattern)));
    expect(seen).toEqual([]);
    await app.ready();
    expect(seen).toEqual(['/c']);
  });
});
