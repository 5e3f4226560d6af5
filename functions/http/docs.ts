/**
 * Interactive docs at /docs: Swagger UI from the swagger-ui-dist package, served by
 * the API itself (no CDN at run time). The page and its scripts hold no data and need
 * no key (a browser cannot send one when it opens a page); the document itself,
 * /openapi.json, needs the key like every other route, so the page asks for it and
 * sends it with each request. It stays in the page's memory, never in storage.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { OpenAPIHono } from '@hono/zod-openapi';

const ASSETS = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
} as const;

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Job scheduler API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<form id="key-form" style="font-family: sans-serif; margin: 1em">
<label>API key <input id="key" type="password" autocomplete="off" required></label>
<button type="submit">Open the docs</button>
</form>
<div id="docs"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/start.js"></script>
</body>
</html>
`;

// A file of its own rather than inline, so the page works under a Content-Security-Policy without 'unsafe-inline'.
const START = `document.getElementById('key-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const key = document.getElementById('key').value.trim();
  event.target.remove();
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#docs',
    persistAuthorization: false,
    requestInterceptor: (request) => {
      request.headers.Authorization = 'Bearer ' + key;
      return request;
    },
  });
});
`;

/** The package's folder, found through Node's resolution (works from node_modules, and from a bundle that copies it). */
function assetFolder(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('swagger-ui-dist/package.json'));
}

export function registerDocs(app: OpenAPIHono): void {
  const cache = new Map<string, string>();
  const asset = (name: keyof typeof ASSETS): string => {
    let text = cache.get(name);
    if (text === undefined) {
      text = readFileSync(join(assetFolder(), name), 'utf8');
      cache.set(name, text);
    }
    return text;
  };
  const headers = { 'cache-control': 'public, max-age=3600', 'x-content-type-options': 'nosniff' };
  app.get('/docs', (c) => c.html(PAGE, 200, headers));
  app.get('/docs/start.js', (c) => c.body(START, 200, { ...headers, 'content-type': 'text/javascript; charset=utf-8' }));
  for (const name of Object.keys(ASSETS) as (keyof typeof ASSETS)[]) {
    app.get(`/docs/${name}`, (c) => c.body(asset(name), 200, { ...headers, 'content-type': ASSETS[name] }));
  }
}
