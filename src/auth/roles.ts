/**
 * The roles a principal may hold. What each one may do is {@link CAPABILITY_ROLES}'s to say
 * (capabilities.ts); this file only names them.
 *
 * - `agent`: a service that asks for approvals and waits on them.
 * - `approver`: a person (or their tool) who decides.
 * - `admin`: everything.
 */
export const ROLES = ['agent', 'approver', 'admin'] as const;

export type Role = (typeof ROLES)[number];

const KNOWN_ROLES: ReadonlySet<string> = new Set(ROLES);

/** Whether `value` names a role, exactly (no case folding, no trimming). */
export const isRole = (value: unknown): value is Role =>
  typeof value === 'string' && KNOWN_ROLES.has(value);
