import { HttpService } from '@nestjs/axios';
import { isAxiosError } from 'axios';
import { firstValueFrom } from 'rxjs';
import { ApprovalNotFoundError } from '../errors/approval-not-found.error';
import { ApprovalStatusSourceError } from '../errors/approval-status-source.error';
import type { Approval } from '../interfaces/approval.interface';
import type {
  ApprovalStatusReadOptions,
  ApprovalStatusSource,
} from '../interfaces/approval-status-source.interface';

/** Answers that may succeed on a later try. */
const RETRYABLE_STATUS_CODES: ReadonlySet<number> = new Set([408, 425, 429]);

/**
 * Reads approvals from the approvals REST API
 * (`GET {approvalsApiUrl}/workspaces/:workspaceId/approvals/:approvalId`), sending the API
 * key as `x-api-key`. 404 becomes `ApprovalNotFoundError`; 5xx, 408, 425, 429 and network
 * failures are retryable; other answers are not.
 *
 * Errors never carry the axios error as their cause: its request config holds the API key.
 *
 * @example
 * ApprovalEventsModule.forRoot({ approvalsApiUrl: 'http://approvals:3000/api', apiKey });
 */
export class HttpApprovalStatusSource implements ApprovalStatusSource {
  constructor(
    private readonly http: HttpService,
    private readonly baseUrl: string,
    private readonly apiKey: string | undefined,
    private readonly requestTimeoutMs: number,
  ) {}

  async getApproval(
    workspaceId: string,
    approvalId: string,
    options: ApprovalStatusReadOptions = {},
  ): Promise<Approval> {
    const url = `${this.baseUrl}/workspaces/${encodeURIComponent(workspaceId)}/approvals/${encodeURIComponent(approvalId)}`;
    try {
      const response = await firstValueFrom(
        this.http.get<Approval>(url, {
          headers: this.apiKey ? { 'x-api-key': this.apiKey } : {},
          timeout: this.requestTimeoutMs,
          signal: options.signal,
          maxContentLength: 1024 * 1024,
          maxRedirects: 0,
        }),
      );
      return response.data;
    } catch (error) {
      throw this.translate(error, workspaceId, approvalId);
    }
  }

  private translate(error: unknown, workspaceId: string, approvalId: string): Error {
    if (!isAxiosError(error)) return error instanceof Error ? error : new Error(String(error));
    const statusCode = error.response?.status;
    if (statusCode === 404) return new ApprovalNotFoundError(workspaceId, approvalId);
    if (statusCode === undefined) {
      return new ApprovalStatusSourceError(
        `Approvals API unreachable while reading approval ${approvalId}: ${error.code ?? error.message}`,
        { retryable: true },
      );
    }
    return new ApprovalStatusSourceError(
      `Approvals API answered ${statusCode} while reading approval ${approvalId}`,
      { retryable: statusCode >= 500 || RETRYABLE_STATUS_CODES.has(statusCode), statusCode },
    );
  }
}
