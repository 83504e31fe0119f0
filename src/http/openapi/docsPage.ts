import { dirname } from 'node:path';

/**
 * The interactive API page at /docs: Swagger UI from the swagger-ui-dist
 * package, served by the node itself (no CDN: nodes often run without
 * internet access). The page has no inline script, so the app's
 * Content-Security-Policy (scripts from 'self' only) holds.
 */
export const DOCS_ASSET_PREFIX = '/docs/assets/';
export const DOCS_INIT_SCRIPT = '/docs/init.js';

/** The swagger-ui-dist files the page uses; nothing else of the package is served. */
export const DOCS_ASSETS: ReadonlySet<string> = new Set(['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png', 'favicon-16x16.png']);

export function swaggerUiDistDir(): string {
  return dirname(require.resolve('swagger-ui-dist/package.json'));
}

export const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>elicense node API</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="stylesheet" href="${DOCS_ASSET_PREFIX}swagger-ui.css">
  <link rel="icon" type="image/png" href="${DOCS_ASSET_PREFIX}favicon-32x32.png" sizes="32x32">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="${DOCS_ASSET_PREFIX}swagger-ui-bundle.js"></script>
  <script src="${DOCS_INIT_SCRIPT}"></script>
</body>
</html>
`;

/** validatorUrl: null keeps Swagger UI from fetching a badge from swagger.io. */
export const DOCS_INIT_JS = `'use strict';
window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
});
`;
