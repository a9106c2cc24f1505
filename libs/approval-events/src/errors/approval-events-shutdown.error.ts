/**
 * The application is shutting down; every wait still in progress rejects with this.
 *
 * @example
 * if (err instanceof ApprovalEventsShutdownError) return; // the process is going away
 */
export class ApprovalEventsShutdownError extends Error {
  override readonly name = 'ApprovalEventsShutdownError';

  constructor() {
    super('The approval events module is shutting down; the wait was ended');
  }
}
