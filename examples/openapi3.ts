// The "openapi3" example: a port of PoorWSGI's examples/openapi3.py with the same URLs. Every
// request whose route examples/openapi.json describes is validated by @poor/openapi before the
// handler (400/401 JSON errors), and every response after it (a 500 in debug mode).
// CORS answers only the origins of CORS_ORIGINS (comma-separated; default: this server on
// localhost), with `Vary: Origin` — never any origin with credentials.
// Run: npm run example -- openapi3
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  after,
  Application,
  before,
  errorHandler,
  HTTPException,
  JSONResponse,
  NoContentResponse,
  PoorSession,
  Response,
  route,
  SessionError,
  TextResponse,
  type Request,
} from '@poor/core';
import { apiOf, openapi } from '@poor/openapi';
import { serve } from './serve.js';

const here = dirname(fileURLToPath(import.meta.url));
const port = process.env.PORT ?? '8080';
const origins = new Set(
  (process.env.CORS_ORIGINS ?? `http://localhost:${port},http://127.0.0.1:${port}`)
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean),
);

/** The Origin of a request when it is on the allow-list. */
function allowedOrigin(req: Request): string | undefined {
  const origin = req.raw.headers.origin;
  return origin !== undefined && origins.has(origin) ? origin : undefined;
}

class Cors {
  /** Preflight: 204 with the allowed methods for an allowed origin, a plain 204 otherwise. */
  @before({ scope: 'app' })
  preflight(req: Request): Response | undefined {
    if (req.method !== 'OPTIONS' || req.raw.url === '*') return undefined;
    const response = new NoContentResponse({ headers: { Vary: 'Origin' } });
    const origin = allowedOrigin(req);
    if (origin !== undefined) {
      response.headers.set('Access-Control-Allow-Origin', origin);
      response.headers.set('Access-Control-Allow-Credentials', 'true');
      response.headers.set('Access-Control-Allow-Methods', 'GET, POST, PUT, OPTIONS');
      response.headers.set('Access-Control-Allow-Headers', 'API-Key, Content-Type');
      response.headers.set('Access-Control-Max-Age', '1728000');
    }
    return response;
  }

  /** Every answer: the allowed origin echoed, and `Vary: Origin` so caches keep them apart. */
  @after({ scope: 'app' })
  cors(req: Request, response: Response): Response {
    const origin = allowedOrigin(req);
    if (!response.headers.has('vary')) response.headers.add('Vary', 'Origin');
    if (origin !== undefined && !response.headers.has('access-control-allow-origin')) {
      response.headers.set('Access-Control-Allow-Origin', origin);
      response.headers.set('Access-Control-Allow-Credentials', 'true');
    }
    return response;
  }
}

class OpenAPI3 {
  @route('/plain_text')
  plainText(): TextResponse {
    return new TextResponse('Hello world', { charset: null });
  }

  @route('/response')
  response(): Response {
    return new Response('{}', { headers: { 'Content-Type': 'application/json' } });
  }

  @route('/json/<arg>')
  json(_req: Request, arg: string): JSONResponse {
    return new JSONResponse({ arg }, { charset: null });
  }

  @route('/json', ['POST', 'PUT'])
  teapot(req: Request): JSONResponse {
    return new JSONResponse({ message: "I'm teapot :-)", request: req.json ?? null }, { status: 418 });
  }

  @route('/arg/<arg:int>')
  argInt(_req: Request, arg: number): JSONResponse {
    return new JSONResponse({ arg }, { charset: null });
  }

  @route('/arg/<arg:float>')
  argFloat(_req: Request, arg: number): JSONResponse {
    return new JSONResponse({ arg }, { charset: null });
  }

  @route('/arg/<arg:uuid>')
  argUuid(_req: Request, arg: string): JSONResponse {
    return new JSONResponse({ arg }, { charset: null });
  }

  @route('/arg/<arg>')
  argAny(req: Request, arg: string): JSONResponse {
    // Reached only by what the document allows (a number such as 1e3): the validated value.
    return new JSONResponse({ arg: apiOf<{ path: { arg: number | string } }>(req).path.arg ?? arg }, { charset: null });
  }

  @route('/broken-response')
  broken(): JSONResponse {
    return new JSONResponse({ count: 'many' }, { charset: null }); // the document says integer
  }

  @route('/internal-server-error')
  crash(): never {
    throw new Error('a deliberate crash, shown on the debug page');
  }

  @route('/login')
  login(req: Request): NoContentResponse {
    const session = new PoorSession<{ login?: boolean }>(req.secretKey).load(req);
    session.data = { login: true };
    const response = new NoContentResponse();
    session.header(response);
    return response;
  }

  @route('/check/login')
  checkLogin(req: Request): string {
    const session = new PoorSession<{ login?: boolean }>(req.secretKey).load(req);
    if (session.data.login !== true) throw new HTTPException(401);
    return 'login ok';
  }

  @route('/check/api-key')
  checkApiKey(req: Request): string {
    if (req.headers.get('API-Key') !== 'xxx') throw new HTTPException(401);
    return 'api-key ok';
  }

  /** A forged or expired session cookie is not a login: 401, not a crash. */
  @errorHandler(SessionError)
  invalidSession(): never {
    throw new HTTPException(401);
  }

  @errorHandler(404, ['GET', 'HEAD', 'POST'])
  notFound(req: Request): JSONResponse {
    return new JSONResponse({ error: `Url ${req.path} not found` }, { status: 404, charset: null });
  }
}

export const app = new Application('OpenAPI3 Test App', {
  debug: true,
  secretKey: randomBytes(32).toString('hex'),
  controllers: [Cors, OpenAPI3],
  addOns: [openapi(join(here, 'openapi.json'), { validateResponses: true })],
});

if (process.argv[1] === fileURLToPath(import.meta.url)) await serve(app);
