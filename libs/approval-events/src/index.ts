/**
 * The public API of `ApprovalEventsModule`. Everything a user injects, configures, catches
 * or types against is exported here; everything else (the coverage, the wait registry, the
 * per-approval watches, the status reader, the links' plumbing) is internal and may change
 * in any release.
 */
export { ApprovalEventManager } from './manager/approval-event.manager';
export {
  APPROVAL_REMINDER_EVENT,
  APPROVAL_REQUESTED_EVENT,
  APPROVAL_RESOLVED_EVENT,
  APPROVAL_VOTED_EVENT,
  MAX_APPROVERS,
  MAX_ID_LENGTH,
  MAX_REQUIRED_APPROVALS,
  MAX_RESOLUTION_BYTES,
  MAX_RESOLVED_BY_LENGTH,
  type RejectionReason,
  type ResolutionSource,
} from './approval-events.constants';
export { ApprovalEventsMetrics } from './approval-events.metrics';
export { ApprovalEventsModule } from './approval-events.module';
export { ApprovalQueueBridge } from './bridge/approval-queue.bridge';
export { toApprovalResult } from './validation/approval-result.validation';
export * from './errors';
export { ApprovalEventTokens, MAX_SCOPED_TOKEN_TTL_SECONDS } from './gateway/approval-event.tokens';
export type { SubscriberTokenClaims } from './gateway/gateway-tokens';
export { APPROVALS_NAMESPACE } from './gateway/gateway.constants';
export { HttpApprovalStatusSource } from './reading/http-approval-status.source';
export { MAX_NESTING_DEPTH } from './validation/nesting-depth';
export type {
  Approval,
  ApprovalResult,
  ApprovalStatus,
  ApprovalVote,
  ResolvedApprovalStatus,
} from './interfaces/approval.interface';
export type {
  ApprovalEventsModuleAsyncOptions,
  ApprovalEventsModuleExtras,
  ApprovalEventsModuleOptions,
} from './interfaces/approval-events-options.interface';
export {
  ApprovalStatusSource,
  type ApprovalStatusReadOptions,
} from './interfaces/approval-status-source.interface';
export type {
  ApprovalSocketData,
  ClientToServerEvents,
  GatewayAck,
  GatewayAckError,
  GatewayRole,
  ServerToClientEvents,
  WorkspaceSubscription,
} from './interfaces/approval-socket-events.interface';
export type {
  BridgeWaitOptions,
  ReceivedResolution,
  WaitOptions,
} from './interfaces/wait-options.interface';
