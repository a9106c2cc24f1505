import type { Approval } from '@app/approval-events';
import * as http from 'node:http';
import { sharedNow } from './child-process';
import { BENCH_AGENT_KEY, BENCH_APPROVER_KEY } from './host-boot';

export interface HttpAnswer<T> {
  readonly status: number;
  readonly body: T;
  /** {@link sharedNow} when the last byte of the answer arrived. */
  readonly at: number;
}

/**
 * A bare `node:http` JSON client on one keep-alive agent: no supertest, no axios, so what is
 * timed is the server and the loopback, not a client library's per-request set-up.
 */
export class BenchHttpClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

  constructor(readonly baseUrl: string) {}

  request<T = Approval>(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    apiKey?: string,
  ): Promise<HttpAnswer<T>> {
    const json = body === undefined ? undefined : JSON.stringify(body);
    const credential: Record<string, string> = apiKey ? { 'x-api-key': apiKey } : {};
    return new Promise((resolve, reject) => {
      const request = http.request(
        `${this.baseUrl}${path}`,
        {
          method,
          agent: this.agent,
          headers:
            json === undefined
              ? credential
              : {
                  ...credential,
                  'content-type': 'application/json',
                  'content-length': Buffer.byteLength(json),
                },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const at = sharedNow();
            const text = Buffer.concat(chunks).toString('utf8');
            try {
              resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as T, at });
            } catch {
              reject(new Error(`${method} ${path} answered ${response.statusCode}: ${text}`));
            }
          });
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(json);
    });
  }

  /** Like {@link request}, failing unless the answer has the `expected` status. */
  async expect<T = Approval>(
    expected: number,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    apiKey?: string,
  ): Promise<HttpAnswer<T>> {
    const answer = await this.request<T>(method, path, body, apiKey);
    if (answer.status !== expected) {
      throw new Error(
        `${method} ${path} answered ${answer.status} (expected ${expected}): ${JSON.stringify(answer.body)}`,
      );
    }
    return answer;
  }

  close(): void {
    this.agent.destroy();
  }
}

/** `/api/workspaces/:workspaceId/approvals[/:approvalId[/:action]]`. */
export const approvalsPath = (workspaceId: string, approvalId?: string, action?: string): string =>
  ['/api/workspaces', workspaceId, 'approvals', approvalId, action]
    .filter((part) => part !== undefined)
    .join('/');

/**
 * The approvals routes of one workspace, through a {@link BenchHttpClient}: asking, reading
 * and waiting with the agent's key, approving with the approver's (four-eyes).
 */
export class ApprovalsClient {
  constructor(
    readonly http: BenchHttpClient,
    readonly workspaceId: string,
    private readonly keys = { agent: BENCH_AGENT_KEY, approver: BENCH_APPROVER_KEY },
  ) {}

  async create(): Promise<Approval> {
    const answer = await this.http.expect(
      201,
      'POST',
      approvalsPath(this.workspaceId),
      { action: 'send_email', payload: { to: 'bob@example.com' } },
      this.keys.agent,
    );
    return answer.body;
  }

  approve(approvalId: string): Promise<HttpAnswer<Approval>> {
    return this.http.expect(
      200,
      'POST',
      approvalsPath(this.workspaceId, approvalId, 'approve'),
      {},
      this.keys.approver,
    );
  }

  read(approvalId: string): Promise<HttpAnswer<Approval>> {
    return this.http.expect(
      200,
      'GET',
      approvalsPath(this.workspaceId, approvalId),
      undefined,
      this.keys.agent,
    );
  }

  /** The long poll; resolves when it answers (decided, or pending after `timeoutMs`). */
  wait(approvalId: string, timeoutMs = 30_000): Promise<HttpAnswer<Approval>> {
    return this.http.expect(
      200,
      'GET',
      `${approvalsPath(this.workspaceId, approvalId, 'wait')}?timeoutMs=${timeoutMs}`,
      undefined,
      this.keys.agent,
    );
  }
}
