import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import {
  INBOX_ASSETS_PATH,
  INBOX_CONTENT_SECURITY_POLICY,
  INBOX_PUBLIC_DIR,
  SOCKET_IO_CLIENT_FILE,
} from './inbox.constants';

/**
 * Revalidate every time (express answers 304 from the ETag), so a browser never runs an old
 * script against a newer server after an upgrade.
 */
const NO_STALE_COPIES = 'no-cache';

/** The response as Express hands it over: `sendFile` streams a file with its type, ETag and 304s. */
type Response = ServerResponse & {
  sendFile(path: string, options: { headers: Record<string, string> }): void;
};

/**
 * The approver inbox: one page, its script and style sheet, and the Socket.io browser client.
 * Each file is a named route rather than a folder served as a whole, so nothing else on disk
 * can ever be reached through it. Outside `/api` and open: the page holds no secret, and
 * asks the person for the API key it then sends to the API, which decides as its principal.
 */
@ApiExcludeController()
@Controller()
export class InboxController {
  @Get()
  @Header('Content-Security-Policy', INBOX_CONTENT_SECURITY_POLICY)
  @Header('Referrer-Policy', 'no-referrer')
  page(@Res() response: Response): void {
    send(response, join(INBOX_PUBLIC_DIR, 'index.html'));
  }

  @Get(`${INBOX_ASSETS_PATH}/inbox.js`)
  script(@Res() response: Response): void {
    send(response, join(INBOX_PUBLIC_DIR, 'inbox.js'));
  }

  @Get(`${INBOX_ASSETS_PATH}/inbox.css`)
  styles(@Res() response: Response): void {
    send(response, join(INBOX_PUBLIC_DIR, 'inbox.css'));
  }

  @Get(`${INBOX_ASSETS_PATH}/favicon.svg`)
  icon(@Res() response: Response): void {
    send(response, join(INBOX_PUBLIC_DIR, 'favicon.svg'));
  }

  @Get(`${INBOX_ASSETS_PATH}/socket.io.esm.min.js`)
  socketIoClient(@Res() response: Response): void {
    send(response, SOCKET_IO_CLIENT_FILE);
  }
}

function send(response: Response, file: string): void {
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.sendFile(file, { headers: { 'Cache-Control': NO_STALE_COPIES } });
}
