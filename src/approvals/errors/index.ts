export { ApprovalsStoreFullError } from './approvals-store-full.error';
export { DuplicateApprovalError } from './duplicate-approval.error';
