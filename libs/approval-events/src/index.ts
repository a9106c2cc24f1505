export { ApprovalEventManager } from './approval-event.manager';
export {
  APPROVAL_RESOLVED_EVENT,
  type RejectionReason,
  type ResolutionSource,
} from './approval-events.constants';
export { ApprovalEventsMetrics } from './approval-events.metrics';
export { ApprovalEventsModule } from './approval-events.module';
export { APPROVAL_EVENTS_OPTIONS, type ResolvedApprovalEventsOptions } from './approval-events.options';
export { ApprovalQueueBridge } from './approval-queue.bridge';
export * from './errors';
export { HttpApprovalStatusSource } from './http-approval-status.source';
export type { Approval, ApprovalResult, ApprovalStatus, ResolvedApprovalStatus } from './interfaces/approval.interface';
export type {
  ApprovalEventsModuleExtras,
  ApprovalEventsModuleOptions,
} from './interfaces/approval-events-options.interface';
export { ApprovalStatusSource, type ApprovalStatusReadOptions } from './interfaces/approval-status-source.interface';
export type { BridgeWaitOptions, ReceivedResolution, WaitOptions } from './interfaces/wait-options.interface';
