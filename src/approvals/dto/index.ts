export { ApprovalParamsDto, WorkspaceParamsDto } from './approval-params.dto';
export { ApprovalResponseDto } from './approval.response.dto';
export { ApproveApprovalDto } from './approve-approval.dto';
export { CancelApprovalDto } from './cancel-approval.dto';
export { CreateApprovalDto } from './create-approval.dto';
export { ListApprovalsQueryDto } from './list-approvals.query.dto';
export { RejectApprovalDto } from './reject-approval.dto';
export { WaitApprovalQueryDto } from './wait-approval.query.dto';
