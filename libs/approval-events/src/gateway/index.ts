/**
 * The Socket.io gateway, a subpath of its own (`nestjs-approval-events/gateway`): its
 * decorators need `@nestjs/websockets` when the class is defined, so the main entry point
 * cannot export it without making every application install the gateway's packages.
 *
 * `ApprovalEventsModule.forRoot({ statusSource, gateway: true })` registers it without this import;
 * import it only to reach the instance (`app.get(ApprovalEventGateway)`).
 */
export { ApprovalEventGateway } from './approval-event.gateway';
export type { ApprovalNamespace, ApprovalSocket } from './gateway-socket.types';
