// The "metrics" example: a port of PoorWSGI's examples/metrics.py with the same URLs.
// An after hook counts every response (errors included) and how long it took.
// Run: npm run example -- metrics
import { fileURLToPath } from 'node:url';
import { after, Application, JSONResponse, route, TextResponse, type Request, type Response } from '@poor/core';
import { serve } from './serve.js';

class Metrics {
  requests = 0;
  total = 0;
  best = Number.POSITIVE_INFINITY;
  worst = 0;

  @after({ scope: 'app' })
  count(req: Request, response: Response): Response {
    const elapsed = Date.now() / 1000 - req.startTime;
    this.requests += 1;
    this.total += elapsed;
    this.best = Math.min(this.best, elapsed);
    this.worst = Math.max(this.worst, elapsed);
    return response;
  }

  @route('/metrics')
  metrics(): Record<string, number | null> {
    // Upstream sends the non-standard JSON token Infinity before the first request; JSON has
    // no such value, so best_time is null until something was measured.
    return {
      requests: this.requests,
      avg_time: this.requests ? this.total / this.requests : 0,
      best_time: this.requests ? this.best : null,
      worst_time: this.worst,
    };
  }

  @route('/')
  root(): TextResponse {
    return new TextResponse('Hello World', { charset: null });
  }

  @route('/json', 'POST')
  json(req: Request): JSONResponse {
    return new JSONResponse({ message: "I'm teapot :-)", request: req.json ?? {} }, { status: 418 });
  }
}

// The access log (one info line per request) is off by default; poor_AccessLog=On turns it on.
export const app = new Application('metrics', { controllers: [Metrics] });

if (process.argv[1] === fileURLToPath(import.meta.url)) await serve(app);
