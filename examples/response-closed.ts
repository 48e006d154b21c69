// The "response-closed" example: a port of PoorWSGI's examples/response_closed.py.
// Reading a response's body after it was built (here in an after hook) is safe.
// Run: npm run example -- response-closed
import { fileURLToPath } from 'node:url';
import { after, Application, Response, route, type Request } from '@poor/core';
import { serve } from './serve.js';

class ResponseClosed {
  @route('/test')
  test(): Response {
    return new Response('Test data');
  }

  @route('/test-after-response')
  testAfterResponse(): Response {
    const response = new Response('Test data');
    // Upstream read `res.data` here to show it does not crash; Poor keeps the body readable.
    void response.data;
    return response;
  }

  @after({ scope: 'app' })
  inspect(req: Request, response: Response): Response {
    req.app.logger.info(`${req.path}: ${response.data.length} bytes`);
    return response;
  }
}

export const app = new Application('response_closed', { controllers: [ResponseClosed] });

if (process.argv[1] === fileURLToPath(import.meta.url)) await serve(app);
