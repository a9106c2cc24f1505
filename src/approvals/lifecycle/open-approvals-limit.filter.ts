import { type ArgumentsHost, Catch, HttpException, HttpStatus } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { ServerResponse } from 'node:http';
import { OpenApprovalsLimitError } from '../errors/open-approvals-limit.error';

/**
 * Answers {@link OpenApprovalsLimitError} with 429, `Retry-After` and Nest's usual body,
 * whose message names the cap. Bound to the create route only (`@UseFilters`), the one
 * place the error can come from.
 *
 * @example
 * @Post() @UseFilters(OpenApprovalsLimitFilter) create() {}
 */
@Catch(OpenApprovalsLimitError)
export class OpenApprovalsLimitFilter extends BaseExceptionFilter {
  override catch(exception: OpenApprovalsLimitError, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<ServerResponse>();
    if (!response.headersSent) {
      response.setHeader('Retry-After', String(exception.retryAfterSeconds));
    }
    super.catch(new HttpException(exception.message, HttpStatus.TOO_MANY_REQUESTS), host);
  }
}
