import { BadRequestException } from '@nestjs/common';
import { type Principal } from '../auth';

/**
 * The one rule for the actor a client may write in a body (`resolvedBy` of a decision or a
 * cancellation): the host records the authenticated principal, so the field may be left out
 * or repeat that principal's id, and anything else is refused rather than ignored.
 *
 * @throws BadRequestException (400) naming the field and the id it must be.
 */
export function assertActorIsPrincipal(
  field: 'resolvedBy' | 'requestedBy',
  value: string | undefined,
  principal: Principal,
): void {
  if (value === undefined || value === principal.id) return;
  throw new BadRequestException(
    `${field} must be left out or be your own principal id (${principal.id}): the host records who acts`,
  );
}

/**
 * What a create body's `requestedBy` and `requestedFor` leave as the approval's label. Before
 * principals, `requestedBy` was whatever the client typed; a client still sending a value
 * other than its own id keeps it, as `requestedFor`. Sending both, with `requestedBy` not
 * the caller's id, is ambiguous and refused.
 *
 * @throws BadRequestException (400) for that ambiguous pair.
 */
export function requestedForOf(
  body: { requestedBy?: string; requestedFor?: string },
  principal: Principal,
): string | undefined {
  const legacyLabel = body.requestedBy === principal.id ? undefined : body.requestedBy;
  if (legacyLabel !== undefined && body.requestedFor !== undefined) {
    assertActorIsPrincipal('requestedBy', body.requestedBy, principal);
  }
  return body.requestedFor ?? legacyLabel;
}
