import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';

/** Where the OpenAPI page is served (`SwaggerModule.setup`), outside `/api`. */
export const DOCS_PATH = 'docs';

/**
 * What every answer that is not a page may do when a browser opens it as one: nothing. A
 * JSON answer (the API, `/health`) or Prometheus text runs no script, loads nothing, and
 * cannot be framed.
 */
const NOTHING = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'none'"],
    frameAncestors: ["'none'"],
  },
};

/**
 * The swagger-ui page: its own scripts and style sheet, the inline styles swagger-ui
 * writes, its data: images, its own origin to fetch the document from; never framed (a
 * framed "Try it out" could be clicked through from another site).
 */
const DOCS_PAGE = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    baseUri: ["'none'"],
    formAction: ["'none'"],
    frameAncestors: ["'none'"],
  },
};

const common = { xFrameOptions: { action: 'deny' as const } };
const forAnswers = helmet({ ...common, contentSecurityPolicy: NOTHING });
const forDocs = helmet({ ...common, contentSecurityPolicy: DOCS_PAGE });

const isDocs = (url = '') =>
  url === `/${DOCS_PATH}` || url.startsWith(`/${DOCS_PATH}/`) || url.startsWith(`/${DOCS_PATH}?`);

/**
 * helmet's headers on every HTTP answer (`nosniff`, `X-Frame-Options: DENY`,
 * `Referrer-Policy: no-referrer`, HSTS, the cross-origin policies, ...), with a
 * Content-Security-Policy that lets nothing run, except on `/docs`, which gets what
 * swagger-ui needs. The inbox at `/` replaces the policy with its own strict one
 * (`INBOX_CONTENT_SECURITY_POLICY`, set by its controller). Socket.io's `/socket.io/`
 * answers are Engine.IO's, outside Express.
 *
 * @example
 * app.use(securityHeaders); // first, so even a 404 or a 413 carries them
 */
export function securityHeaders(
  request: IncomingMessage,
  response: ServerResponse,
  next: (error?: unknown) => void,
): void {
  (isDocs(request.url) ? forDocs : forAnswers)(request, response, next);
}

/**
 * The files of swagger-ui-dist the page loads, and the two Nest writes itself; any other
 * path under `/docs` (the package's `package.json`, README, source maps, its other bundles,
 * `oauth2-redirect.html`) is a 404 instead of a file served from `node_modules`.
 */
export const DOCS_FILES: ReadonlySet<string> = new Set([
  '/',
  '/swagger-ui.css',
  '/swagger-ui-bundle.js',
  '/swagger-ui-standalone-preset.js',
  '/swagger-ui-init.js',
  '/favicon-16x16.png',
  '/favicon-32x32.png',
]);

/**
 * Mounted on `/docs` before `SwaggerModule.setup` registers its static folder: passes the
 * {@link DOCS_FILES} on, and answers 404 for every other path, as for any unknown route.
 *
 * @example
 * app.use(`/${DOCS_PATH}`, docsFilesOnly);
 */
export function docsFilesOnly(
  request: IncomingMessage & { path?: string },
  response: ServerResponse,
  next: (error?: unknown) => void,
): void {
  if (DOCS_FILES.has(request.path ?? '/')) {
    next();
    return;
  }
  response.statusCode = 404;
  response.setHeader('content-type', 'application/json; charset=utf-8');
  response.end(JSON.stringify({ statusCode: 404, message: 'Not Found', error: 'Not Found' }));
}
