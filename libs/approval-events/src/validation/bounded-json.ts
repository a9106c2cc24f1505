/**
 * The JSON object `text` holds, or `undefined` when it is longer than `maxLength`, not JSON,
 * or not an object. The one parser for the untrusted text the event links receive (a store
 * notification: any session of the database may `NOTIFY` on any channel; a message on the
 * replica channel: anyone with access to that Redis may publish): too long is not ours and
 * is not parsed at all. What the object holds is checked afterwards by the manager, like
 * any other event. Each caller counts a refusal as `invalid_payload`.
 *
 * @internal
 * @example
 * parseBoundedJsonObject('{"approvalId":"a1"}', 8_000); // { approvalId: 'a1' }
 * parseBoundedJsonObject('a1', 8_000); // undefined
 */
export function parseBoundedJsonObject(
  text: string,
  maxLength: number,
): Record<string, unknown> | undefined {
  if (text.length > maxLength) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>)
    : undefined;
}
