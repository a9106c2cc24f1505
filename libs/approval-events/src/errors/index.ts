export { ApprovalCancelledException } from './approval-cancelled.exception';
export { ApprovalEventsShutdownError } from './approval-events-shutdown.error';
export { ApprovalExpiredError } from './approval-expired.error';
export { ApprovalNotFoundError } from './approval-not-found.error';
export { ApprovalStatusSourceError } from './approval-status-source.error';
export { ApprovalTimeoutError } from './approval-timeout.error';
export { ApprovalWaitLimitError } from './approval-wait-limit.error';
export { InvalidApprovalEventError } from './invalid-approval-event.error';
