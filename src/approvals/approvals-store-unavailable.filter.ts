import { type ArgumentsHost, Catch, ServiceUnavailableException } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { ServerResponse } from 'node:http';
import {
  ApprovalsStoreUnavailableError,
  STORE_UNAVAILABLE_MESSAGE,
} from './errors/approvals-store-unavailable.error';

/**
 * Answers {@link ApprovalsStoreUnavailableError} with 503, `Retry-After` and Nest's usual
 * body (`approvals store unavailable`), so a client can tell "try later" from a bug. Nothing
 * is logged per request: the store logs each outage once, when it starts and when it ends.
 *
 * @example
 * app.useGlobalFilters(new ApprovalsStoreUnavailableFilter(app.get(HttpAdapterHost).httpAdapter));
 */
@Catch(ApprovalsStoreUnavailableError)
export class ApprovalsStoreUnavailableFilter extends BaseExceptionFilter {
  override catch(exception: ApprovalsStoreUnavailableError, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<ServerResponse>();
    if (!response.headersSent) {
      response.setHeader('Retry-After', String(exception.retryAfterSeconds));
    }
    super.catch(new ServiceUnavailableException(STORE_UNAVAILABLE_MESSAGE), host);
  }
}
