import { type ArgumentsHost, Catch, HttpException, type HttpServer, Logger } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { type IncomingMessage, STATUS_CODES } from 'node:http';
import { SampledLog, type SampledLogOptions } from '../logging/sampled-log';

/** Longest path and message a log line carries, so a hostile URL cannot make it big. */
const MAX_LOGGED_TEXT = 200;
// eslint-disable-next-line no-control-regex -- escaping control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001F\u007F-\u009F]/g;

/** What `http-errors` (express, body-parser) throws: a status and whether its message may be shown. */
interface ExpressHttpError {
  status?: number;
  statusCode?: number;
  expose?: boolean;
  message?: string;
}

/**
 * The host's last word on every failed HTTP request.
 *
 * - A client error (4xx), whether a Nest `HttpException` or an `http-errors` error from
 *   express's body parser (413, a bad gzip body, an unsupported charset), answers with Nest's
 *   usual body and is logged at `warn` in one line with no stack, through a {@link SampledLog},
 *   so nobody can flood the log or page someone by sending junk.
 * - Anything else (a 5xx `HttpException`, a bug) is left to Nest's `BaseExceptionFilter`,
 *   which logs unknown errors at `error` with their stack, as before.
 *
 * Registered by `configureApp` with `useGlobalFilters`, which covers HTTP only; other
 * contexts (the Socket.io gateway) keep their own handling.
 *
 * @example
 * app.useGlobalFilters(new HttpErrorsFilter(app.get(HttpAdapterHost).httpAdapter));
 */
@Catch()
export class HttpErrorsFilter extends BaseExceptionFilter {
  private readonly log: SampledLog;

  /**
   * @param applicationRef The HTTP adapter (`HttpAdapterHost.httpAdapter`).
   * @param options Sampling of the `warn` lines. @default 20 lines per 60 s
   */
  constructor(applicationRef?: HttpServer, options: SampledLogOptions = {}) {
    super(applicationRef);
    this.log = new SampledLog(new Logger('HttpErrors'), options);
  }

  override catch(exception: unknown, host: ArgumentsHost): void {
    const clientError = host.getType() === 'http' ? asClientError(exception) : undefined;
    if (!clientError) {
      super.catch(exception, host);
      return;
    }
    const request = host.switchToHttp().getRequest<IncomingMessage & { originalUrl?: string }>();
    const status = clientError.getStatus();
    const path = (request.originalUrl ?? request.url ?? '').split('?')[0];
    void this.log.warn(
      String(status),
      `${status} ${request.method} ${loggable(path)}: ${loggable(messageOf(clientError))}`,
    );
    super.catch(clientError, host);
  }
}

/** The exception as a 4xx `HttpException`, or `undefined` when it is not a client error. */
function asClientError(exception: unknown): HttpException | undefined {
  if (exception instanceof HttpException) {
    return exception.getStatus() < 500 ? exception : undefined;
  }
  if (typeof exception !== 'object' || exception === null) return undefined;
  const error = exception as ExpressHttpError;
  const status = error.statusCode ?? error.status;
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  const description = STATUS_CODES[status] ?? 'Client Error';
  const message = error.expose === false || !error.message ? description : error.message;
  return new HttpException(HttpException.createBody(message, description, status), status);
}

function messageOf(exception: HttpException): string {
  const response = exception.getResponse();
  const message =
    typeof response === 'object' && response !== null && 'message' in response
      ? response.message
      : response;
  return Array.isArray(message) ? message.join('; ') : String(message);
}

/** One line, of bounded length, whatever a client put in the URL or a field name. */
function loggable(text: string): string {
  const flat = text.replace(
    CONTROL_CHARACTERS,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return flat.length > MAX_LOGGED_TEXT ? `${flat.slice(0, MAX_LOGGED_TEXT)}…` : flat;
}
