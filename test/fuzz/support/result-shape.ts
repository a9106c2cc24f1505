import { RESULT_KEYS } from './hostile-values';
import { LIBRARY_ID, STATUSES } from './wire-model';

/**
 * Why `result` is not a well-formed `ApprovalResult` as the contract describes it, or
 * undefined. Written from the contract, not from the validator under test, so it can
 * catch the validator letting something through.
 */
export function resultShapeProblem(result: unknown): string | undefined {
  if (typeof result !== 'object' || result === null || Array.isArray(result)) {
    return 'not an object';
  }
  if (Object.getPrototypeOf(result) !== Object.prototype) return 'not a plain object';
  const record = result as Record<string, unknown>;
  const unknownKey = Reflect.ownKeys(record).find(
    (key) => typeof key !== 'string' || !RESULT_KEYS.has(key),
  );
  if (unknownKey !== undefined) return `unknown key ${String(unknownKey)}`;
  for (const name of ['approvalId', 'workspaceId']) {
    const id = record[name];
    if (typeof id !== 'string' || !LIBRARY_ID.test(id)) return `${name} is ${typeof id}`;
  }
  if (typeof record.status !== 'string' || !STATUSES.has(record.status)) return 'bad status';
  if (typeof record.resolvedAt !== 'string' || Number.isNaN(Date.parse(record.resolvedAt))) {
    return 'bad resolvedAt';
  }
  if ('resolvedBy' in record) {
    if (typeof record.resolvedBy !== 'string' || record.resolvedBy.length > 256) {
      return 'bad resolvedBy';
    }
  }
  if ('resolution' in record) {
    const resolution = record.resolution;
    if (
      typeof resolution !== 'object' ||
      resolution === null ||
      Array.isArray(resolution) ||
      Object.getPrototypeOf(resolution) !== Object.prototype
    ) {
      return `resolution is ${resolution === null ? 'null' : Array.isArray(resolution) ? 'an array' : typeof resolution}`;
    }
  }
  return undefined;
}
