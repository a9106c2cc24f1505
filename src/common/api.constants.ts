/**
 * The global route prefix of the host's REST API. `configureApp` (app.setup.ts) passes it to
 * `app.setGlobalPrefix` with {@link UNPREFIXED_ROUTES} excluded, and `AuthGuard` (src/auth)
 * guards exactly the routes under it, so both read it from here.
 */
export const API_PREFIX = 'api';

/**
 * Routes served outside the prefix and without a credential: probes and scrapers, and the
 * approver inbox (`/` and its files under `/inbox/`), a page that holds no secret and asks
 * the person for theirs.
 */
export const UNPREFIXED_ROUTES: readonly string[] = ['health', 'metrics', '/', 'inbox/{*asset}'];

/** Header carrying the API key. Lower case, as Node.js presents incoming header names. */
export const API_KEY_HEADER = 'x-api-key';

/** The OpenAPI security scheme of the API key: registered in app.setup.ts, named by `@Requires`. */
export const API_KEY_SCHEME = 'api-key';

/** The OpenAPI security scheme of bearer JWTs: registered in app.setup.ts, named by `@Requires`. */
export const BEARER_SCHEME = 'bearer';
