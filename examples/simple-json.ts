// The "simple-json" example: a port of PoorWSGI's examples/simple_json.py with the same URLs.
// Run: npm run example -- simple-json   (PROFILE=1 writes per-request CPU profiles)
import { fileURLToPath } from 'node:url';
import { Application, JSONGeneratorResponse, JSONResponse, route, type Request } from '@poor/core';
import { serve } from './serve.js';

class SimpleJson {
  @route('/test/json', ['GET', 'POST'])
  json(req: Request): JSONResponse {
    return new JSONResponse(
      { message: "I'm teapot :-)", numbers: [0, 1, 2, 3, 4], request: req.json ?? {} },
      { status: 418 },
    );
  }

  @route('/test/json-generator')
  jsonGenerator(): JSONGeneratorResponse {
    function* numbers(): Generator<number> {
      for (let index = 0; index < 5; index += 1) yield index;
    }
    return new JSONGeneratorResponse({ message: "I'm teapot :-)", numbers: numbers(), request: {} }, { status: 418 });
  }

  @route('/profile')
  profile(): { PROFILE: string | null } {
    return { PROFILE: process.env.PROFILE ?? null };
  }

  @route('/timestamp')
  timestamp(req: Request): { timestamp: number } {
    return { timestamp: req.startTime };
  }

  @route('/unicode')
  unicode(): { name: string } {
    return { name: 'Ondřej Tůma' };
  }

  @route('/dict')
  dict(): Record<string, string> {
    return { route: '/dict', type: 'dict' };
  }

  @route('/list')
  list(): string[][] {
    return [
      ['key', 'value'],
      ['route', '/list'],
      ['type', 'list'],
    ];
  }

  @route('/test/headers')
  headers(req: Request): JSONResponse {
    return new JSONResponse(
      {
        'Content-Type': [req.mimeType, req.charset],
        'Content-Length': req.contentLength,
        Host: req.hostname,
        Accept: req.accept,
        'Accept-Charset': req.acceptCharset,
        'Accept-Encoding': req.acceptEncoding,
        'Accept-Language': req.acceptLanguage,
        'Accept-MimeType': { html: req.acceptHtml, xhtml: req.acceptXhtml, json: req.acceptJson },
        XMLHttpRequest: req.isXhr,
      },
      { charset: null },
    );
  }
}

export const app = new Application('JSON', { debug: true, controllers: [SimpleJson] });
if (process.env.PROFILE) app.setProfile(process.env.PROFILE_DIR ?? '.');

if (process.argv[1] === fileURLToPath(import.meta.url)) await serve(app);
