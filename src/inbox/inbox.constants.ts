import { dirname, join } from 'node:path';

/** Where the page's own files live: beside this module in `src/` and, after `nest build`, in `dist/` (nest-cli `assets`). */
export const INBOX_PUBLIC_DIR = join(__dirname, 'public');

/**
 * The official Socket.io browser client, served from the installed package so the page
 * always speaks the version the server runs, with nothing copied into the repository.
 */
export const SOCKET_IO_CLIENT_FILE = join(
  dirname(require.resolve('socket.io-client/package.json')),
  'dist',
  'socket.io.esm.min.js',
);

/** URL folder of the page's script, style sheet and client library (outside `/api`). */
export const INBOX_ASSETS_PATH = 'inbox';

/**
 * The page runs only its own script and style sheet and talks only to its own origin
 * (REST and the Socket.io WebSocket), so an injected string can never load or send anything
 * elsewhere. `frame-ancestors 'none'` keeps the decision buttons out of other sites' frames.
 */
export const INBOX_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');
