// Decorator typing, checked twice by `npm run typecheck`: tsconfig.json (TC39 decorators) and
// tsconfig.legacy.json (experimentalDecorators). Each @ts-expect-error must fail in both modes.
import {
  errorHandler,
  route,
  type HTTPExceptionExtra,
  type Request,
  type Response,
  type RouteRequest,
  after,
} from '../src/index.js';

class Right {
  @route('/user/<id:int>/<name>')
  user(_req: Request, id: number, name: string): string {
    return `${id} ${name}`;
  }

  @route('/user/<id:int>')
  onlyRequest(req: Request): string {
    return req.path;
  }

  @route('/rest/<a>/<b>')
  rest(_req: Request, ...parts: string[]): string {
    return parts.join();
  }

  @errorHandler(404)
  notFound(_req: Request, extra: HTTPExceptionExtra): unknown {
    return extra.error;
  }

  @errorHandler(RangeError)
  range(_req: Request, error: RangeError): string {
    return error.message;
  }

  @after()
  stamp(_req: Request, response: Response): Response {
    return response;
  }
}

class Wrong {
  // @ts-expect-error id is a number, not a string
  @route('/user/<id:int>')
  user(_req: Request, id: string): string {
    return id;
  }

  // @ts-expect-error the class handler receives a RangeError, not a number
  @errorHandler(RangeError)
  range(_req: Request, error: RangeError): number {
    return error.message.length;
  }

  // @ts-expect-error a number is not something a response can be made of
  @route('/answer')
  answer(): number {
    return 42;
  }

  // @ts-expect-error nor a promise of one
  @route('/later')
  async later(): Promise<boolean> {
    return true;
  }

  // @ts-expect-error 'nosuch' is not a filter PoorFilters knows
  @route('/thing/<id:nosuch>')
  thing(_req: Request, id: string): string {
    return id;
  }
}

class Typed {
  @route('/user/<id:int>/<name>')
  user(req: RouteRequest<'/user/<id:int>/<name>'>): { id: number; name: string } {
    return { id: req.params.id, name: req.params.name };
  }

  @route('/async')
  async later(): Promise<{ ok: boolean }> {
    return { ok: true };
  }

  @route('/nothing')
  nothing(): void {}
}

export { Right, Typed, Wrong };
