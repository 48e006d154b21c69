// The API docs page: Swagger UI from the `swagger-ui-dist` package (an optional peer), its
// files served by the app itself (no CDN), pointed at the document the add-on serves. The page
// and its start-up script are our own; a strict `script-src 'self'` policy allows them.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { escapeHtml, FileResponse, HTTPException, Response, type Application } from '@poor/core';

/** The files of swagger-ui-dist the page loads. */
const FILES = new Set(['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png', 'favicon-16x16.png']);

/** Where swagger-ui-dist is installed; a clear error when it is not. */
function swaggerUiFolder(): string {
  try {
    return dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  } catch (error) {
    throw new TypeError('@poor/openapi: docsPath needs Swagger UI: npm install swagger-ui-dist', { cause: error });
  }
}

/** The page's HTML: Swagger UI's stylesheet, bundle and our start-up script, all from `base`. */
function pageHtml(base: string, title: string): string {
  const at = escapeHtml(base);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${at}/swagger-ui.css">
<link rel="icon" type="image/png" href="${at}/favicon-32x32.png" sizes="32x32">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${at}/swagger-ui-bundle.js"></script>
<script src="${at}/init.js"></script>
</body>
</html>
`;
}

/**
 * Serves the docs page at `path` (and its files under it), showing the document at
 * `documentPath`. Swagger UI is looked up when the app gets ready. Returns the route patterns.
 */
export function serveDocsPage(app: Application, path: string, documentPath: string, title: () => string): string[] {
  let folder: string | undefined;
  app.onReady(() => {
    folder = swaggerUiFolder();
  });
  const base = path.replace(/\/+$/, '');
  const init = `window.ui = SwaggerUIBundle(${JSON.stringify({ url: documentPath, dom_id: '#swagger-ui', deepLinking: true })});\n`;
  const patterns = [path, `${base}/init.js`, `${base}/<file>`] as const;
  app.route(patterns[0], () => pageHtml(base, title()));
  app.route(patterns[1], () => new Response(init, { contentType: 'text/javascript; charset=utf-8' }));
  app.route(patterns[2], (_req, file: string) => {
    if (folder === undefined || !FILES.has(file)) throw new HTTPException(404);
    return new FileResponse(join(folder, file), { headers: { 'Cache-Control': 'public, max-age=3600' } });
  });
  return [...patterns];
}
