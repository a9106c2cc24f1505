import type { Approval } from '@app/approval-events';
import { Logger } from '@nestjs/common';

/**
 * TEST ONLY. Injection token of a fault-injection point: a function the PostgreSQL store
 * calls right after a decision's `UPDATE` has committed and before anything else runs (the
 * service's `approval.resolved` event, the replica publish). The crash suites bind it to
 * `process.kill(process.pid, 'SIGKILL')` to make "the deciding replica dies between commit
 * and publish" deterministic.
 *
 * Bound to `null` by the approvals module, so nothing runs. Only a test can rebind it
 * (`Test.createTestingModule(…).overrideProvider(AFTER_DECISION_COMMIT_HOOK)`): no
 * environment variable or option turns it on, and even a rebound hook is ignored unless
 * `NODE_ENV` is `test` (see {@link testOnlyHook}).
 *
 * @example
 * Test.createTestingModule({ imports: [AppModule] })
 *   .overrideProvider(AFTER_DECISION_COMMIT_HOOK)
 *   .useValue(() => process.kill(process.pid, 'SIGKILL'));
 */
export const AFTER_DECISION_COMMIT_HOOK = 'APPROVALS:AFTER_DECISION_COMMIT_HOOK (test only)';

/** TEST ONLY: see {@link AFTER_DECISION_COMMIT_HOOK}. */
export type AfterDecisionCommitHook = (approval: Approval) => void;

/**
 * The hook when it may run, that is under `NODE_ENV=test` only; otherwise `undefined`, with
 * an error logged if one was bound, so a test fixture that reached production does nothing.
 */
export function testOnlyHook(
  hook: AfterDecisionCommitHook | null | undefined,
  nodeEnv: string | undefined,
): AfterDecisionCommitHook | undefined {
  if (!hook) return undefined;
  if (nodeEnv === 'test') return hook;
  new Logger('ApprovalsRepository').error(
    `${AFTER_DECISION_COMMIT_HOOK} is bound but NODE_ENV is not "test": ignored`,
  );
  return undefined;
}
