/**
 * The public API of `ApprovalEventsModule`. Everything a user injects, configures, catches
 * or types against is exported here; everything else (the coverage, the wait registry, the
 * per-approval watches, the status reader, the links' plumbing) is internal and may change
 * in any release.
 */
export { ApprovalEventManager } from './approval-event.manager';
export {
  APPROVAL_REQUESTED_EVENT,
  APPROVAL_RESOLVED_EVENT,
  MAX_ID_LENGTH,
  MAX_RESOLUTION_BYTES,
  MAX_RESOLVED_BY_LENGTH,
  REDIS_KEY_PREFIX_PATTERN,
  type RejectionReason,
  type ResolutionSource,
} from './approval-events.constants';
export { ApprovalEventsMetrics } from './approval-events.metrics';
export { ApprovalEventsModule } from './approval-events.module';
export { ApprovalQueueBridge } from './approval-queue.bridge';
export { toApprovalResult } from './approval-result.validation';
export * from './errors';
export { ApprovalEventTokens, MAX_SCOPED_TOKEN_TTL_SECONDS } from './gateway/approval-event.tokens';
export type { SubscriberTokenClaims } from './gateway/gateway-tokens';
export {
  APPROVALS_NAMESPACE,
  GATEWAY_MAX_MESSAGE_BYTES,
  GATEWAY_MAX_SUBSCRIPTIONS,
  GATEWAY_CONNECT_WINDOW_SECONDS,
  GATEWAY_CONNECTS_PER_IP,
  GATEWAY_PUBLISHES_PER_SECOND,
  GATEWAY_PUBLISHES_PER_SECOND_PER_IP,
} from './gateway/gateway.constants';
export {
  GATEWAY_CONNECT_TIMEOUT_MS,
  GATEWAY_MAX_TRANSPORTS_PER_IP,
} from './gateway/transport-guard';
export { HttpApprovalStatusSource } from './http-approval-status.source';
export { exceedsNestingDepth, MAX_NESTING_DEPTH } from './nesting-depth';
export type {
  Approval,
  ApprovalResult,
  ApprovalStatus,
  ResolvedApprovalStatus,
} from './interfaces/approval.interface';
export type {
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
