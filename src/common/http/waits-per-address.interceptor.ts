import {
  type CallHandler,
  type ExecutionContext,
  HttpException,
  HttpStatus,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { defer, finalize, type Observable } from 'rxjs';
import type { Environment } from '../../config/environment';
import { AddressCounts, clientAddress } from './address-counts';

/** When a client refused for holding too many long-polls may try again. */
export const WAIT_RETRY_AFTER_SECONDS = 5;

/**
 * Bounds the long-polls one client address holds at once (`HTTP_MAX_WAITS_PER_IP`): past
 * it, 429 with `Retry-After`, before the wait starts. Without it one key holder could hold
 * a connection per wait until the process runs out of file descriptors, long before the
 * library's 100 000-wait limit answers (issue 19: 18 592 long-polls from one address).
 * The slot is given back when the handler ends in any way (answer, error, hang-up).
 *
 * @example
 * @Get(':approvalId/wait') @UseInterceptors(WaitsPerAddressInterceptor) wait() {}
 */
@Injectable()
export class WaitsPerAddressInterceptor implements NestInterceptor {
  private readonly waits: AddressCounts;

  constructor(config: ConfigService<Environment, true>) {
    this.waits = new AddressCounts(config.get('HTTP_MAX_WAITS_PER_IP', { infer: true }));
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const address = clientAddress(http.getRequest<IncomingMessage>().socket);
    if (!this.waits.acquire(address)) {
      http.getResponse<ServerResponse>().setHeader('Retry-After', String(WAIT_RETRY_AFTER_SECONDS));
      throw new HttpException(
        `Too many long-polls from this address (at most ${this.waits.cap} at once)`,
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    // defer: the handler's observable is subscribed once; finalize runs on every ending.
    return defer(() => next.handle()).pipe(finalize(() => this.waits.release(address)));
  }
}
