/** How deeply an event's `resolution` or a request's free-form object may nest. */
export const MAX_NESTING_DEPTH = 32;

/**
 * Whether `value` nests objects or arrays deeper than `maxDepth` (a flat object is depth 1).
 * Iterative, so a hostile value cannot overflow the stack here, and it stops at the first
 * branch that is too deep: it is the guard that runs before anything recursive
 * (`JSON.stringify`, class-transformer, Nest's prototype-key stripping) sees the value.
 *
 * @example
 * if (exceedsNestingDepth(body, MAX_NESTING_DEPTH)) throw new BadRequestException('nested too deeply');
 */
export function exceedsNestingDepth(value: unknown, maxDepth: number = MAX_NESTING_DEPTH): boolean {
  const pending: [unknown, number][] = [[value, 0]];
  const seen = new Set<object>();
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!;
    if (typeof current !== 'object' || current === null || seen.has(current)) continue;
    if (depth >= maxDepth) return true;
    seen.add(current);
    for (const child of Object.values(current)) pending.push([child, depth + 1]);
  }
  return false;
}
