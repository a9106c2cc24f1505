import { Injectable } from '@nestjs/common';
import { idProblem } from '../validation/approval-result.validation';
import { GatewayTokens, MAX_TOKEN_WORKSPACES } from './gateway-tokens';

/** Longest life of a scoped token. */
export const MAX_SCOPED_TOKEN_TTL_SECONDS = 86_400;

/**
 * Issues subscriber tokens scoped to workspaces (signed JWTs), for clients that must hear
 * only their own tenants: a browser, a customer's agent. Needs the `gatewayJwtSecret` option,
 * the same on every replica.
 *
 * @example
 * const token = tokens.issueSubscriberToken(['ws1'], 3_600);
 * io('http://host:3000/approvals', { auth: { token } }); // may subscribe to ws1 only
 */
@Injectable()
export class ApprovalEventTokens {
  /** @internal Built by Nest's injector from the module's providers; inject it instead. */
  constructor(private readonly tokens: GatewayTokens) {}

  /** Whether scoped tokens can be issued here. */
  get enabled(): boolean {
    return this.tokens.canIssue;
  }

  /**
   * A token that may subscribe to `workspaces` only, for `ttlSeconds` (1 to 86 400).
   *
   * @throws TypeError / RangeError for bad arguments; Error when no secret is configured.
   */
  issueSubscriberToken(workspaces: string[], ttlSeconds: number, subject?: string): string {
    if (workspaces.length === 0 || workspaces.length > MAX_TOKEN_WORKSPACES) {
      throw new RangeError(`A token names 1 to ${MAX_TOKEN_WORKSPACES} workspaces`);
    }
    for (const workspaceId of workspaces) {
      const problem = idProblem('workspaceId', workspaceId);
      if (problem) throw new TypeError(problem);
    }
    if (
      !Number.isInteger(ttlSeconds) ||
      ttlSeconds < 1 ||
      ttlSeconds > MAX_SCOPED_TOKEN_TTL_SECONDS
    ) {
      throw new RangeError(
        `ttlSeconds must be an integer from 1 to ${MAX_SCOPED_TOKEN_TTL_SECONDS}`,
      );
    }
    return this.tokens.issue({ workspaces: [...new Set(workspaces)], sub: subject }, ttlSeconds);
  }
}
