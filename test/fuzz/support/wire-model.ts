import { RESOLVED_STATUSES, RESULT_KEYS } from './hostile-values';

/**
 * What the contract says the gateway must accept, written independently of the gateway's
 * DTO and the manager's validator. Applied to the body as the server receives it: JSON
 * round-tripped, as Socket.io sends it.
 */

export const LIBRARY_ID = /^[\x21-\x7e]{1,128}$/;
export const STATUSES: ReadonlySet<unknown> = new Set(RESOLVED_STATUSES);
const MAX_RESOLUTION_JSON_LENGTH = 16 * 1024;
const MAX_RESOLVED_BY_LENGTH = 256;

/** The value as the other end of a JSON transport sees it. */
export function overTheWire(value: unknown): unknown {
  const json = JSON.stringify(value);
  return json === undefined ? null : JSON.parse(json);
}

export const isPlainRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const isLibraryId = (value: unknown) => typeof value === 'string' && LIBRARY_ID.test(value);

/**
 * Whether the gateway must ack `{ ok: true }` for `body` (already over the wire).
 * `resolvedAtIsIso` carries the verdict on `resolvedAt`, decided by how it was generated:
 * strict ISO-8601 has too many forms to re-implement here.
 */
export function isValidPublish(body: unknown, resolvedAtIsIso: boolean): boolean {
  if (!isPlainRecord(body)) return false;
  if (Object.keys(body).some((key) => !RESULT_KEYS.has(key))) return false;
  if (!isLibraryId(body.approvalId) || !isLibraryId(body.workspaceId)) return false;
  if (!STATUSES.has(body.status)) return false;
  if (typeof body.resolvedAt !== 'string' || !resolvedAtIsIso) return false;
  const { resolvedBy, resolution } = body;
  if (resolvedBy !== undefined && resolvedBy !== null) {
    if (typeof resolvedBy !== 'string' || resolvedBy.length > MAX_RESOLVED_BY_LENGTH) return false;
  }
  if (resolution !== undefined && resolution !== null) {
    if (!isPlainRecord(resolution)) return false;
    if (JSON.stringify(resolution).length > MAX_RESOLUTION_JSON_LENGTH) return false;
  }
  return true;
}

const SUBSCRIPTION_KEYS: ReadonlySet<string> = new Set(['workspaceId', 'channel']);

/**
 * Whether a `subscribe` / `unsubscribe` body (over the wire) must be acked `{ ok: true }`:
 * `{ workspaceId }` for one workspace, or no `workspaceId` at all for every workspace the
 * token may see; `channel`, when present, must be `'approvals'`. A key that is there with
 * another value (`null` included) is refused.
 */
export function isValidSubscription(body: unknown): boolean {
  return (
    isPlainRecord(body) &&
    Object.keys(body).every((key) => SUBSCRIPTION_KEYS.has(key)) &&
    (!('workspaceId' in body) || isLibraryId(body.workspaceId)) &&
    (!('channel' in body) || body.channel === 'approvals')
  );
}
