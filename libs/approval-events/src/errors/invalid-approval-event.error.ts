/**
 * A resolution fed to the manager was malformed. It was counted in
 * `approval_events_rejected_total{reason="invalid_payload"}` and dropped.
 *
 * @example
 * try { manager.onApprovalResponse(untrusted); } catch (err) {
 *   if (err instanceof InvalidApprovalEventError) ack({ ok: false, error: 'invalid_payload' });
 * }
 */
export class InvalidApprovalEventError extends Error {
  override readonly name = 'InvalidApprovalEventError';

  constructor(readonly problem: string) {
    super(`Invalid approval event: ${problem}`);
  }
}
