/**
 * Longest notification text read: PostgreSQL refuses longer payloads (8 000 bytes), and what
 * the store sends is far shorter, so anything longer is not ours and is not parsed.
 */
export const MAX_STORE_NOTIFICATION_LENGTH = 8_000;

/**
 * The JSON object a store notification carries, or `undefined` when it is too long, not
 * JSON, or not an object. Its fields are checked afterwards by the manager, like any
 * other event's. Any session of the database may `NOTIFY` on any channel, so the text is
 * untrusted input.
 *
 * @internal
 * @example
 * parseStoreNotification('{"approvalId":"a1"}'); // { approvalId: 'a1' }
 * parseStoreNotification('a1'); // undefined
 */
export function parseStoreNotification(payload: string): object | undefined {
  if (payload.length > MAX_STORE_NOTIFICATION_LENGTH) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return undefined;
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
    ? parsed
    : undefined;
}
