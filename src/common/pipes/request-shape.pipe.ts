import {
  BadRequestException,
  Injectable,
  type ArgumentMetadata,
  type PipeTransform,
} from '@nestjs/common';
import { MAX_NESTING_DEPTH } from '@app/approval-events';
import { exceedsNestingDepth } from '@app/approval-events/internal';

/**
 * Whether the validation pipeline would drop `key` without a word: `ValidationPipe` deletes
 * `__proto__`, `prototype` and `constructor` keys at any depth, and class-transformer skips
 * every key naming a method that objects inherit (`toString`, `valueOf`, ...).
 */
export function isSilentlyDroppedKey(key: string): boolean {
  return (
    key === '__proto__' ||
    key === 'prototype' ||
    typeof (Object.prototype as unknown as Record<string, unknown>)[key] === 'function'
  );
}

/**
 * The first key, at any depth, that the pipeline would drop, and the top-level field it
 * sits in (the key itself when it is top-level); undefined if there is none.
 */
export function findSilentlyDroppedKey(value: unknown): { key: string; field: string } | undefined {
  // Iterative like exceedsNestingDepth, and only run after it, so the walk is bounded.
  const pending: [unknown, string | undefined][] = [[value, undefined]];
  while (pending.length > 0) {
    const [current, field] = pending.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    const isArray = Array.isArray(current);
    for (const [key, child] of Object.entries(current)) {
      if (!isArray && isSilentlyDroppedKey(key)) return { key, field: field ?? key };
      pending.push([child, field ?? key]);
    }
  }
  return undefined;
}

/**
 * Whether `ValidationPipe` will build a DTO from the value, which is what this pipe guards.
 * Since Nest 12 global pipes run on gateway handlers too, for every argument: the socket
 * comes as `custom` (a cyclic graph no walk should enter), a message typed `unknown` as a
 * `body` of `Object`, which ValidationPipe passes on untouched and the gateway checks itself.
 */
const becomesDto = ({ type, metatype }: ArgumentMetadata): boolean =>
  type !== 'custom' && metatype !== Object;

/**
 * Runs before `ValidationPipe` on every body, query and params it makes a DTO of, and refuses
 * with a 400:
 * - a value nested deeper than the API ever needs: the pipe's prototype-key stripping and
 *   class-transformer recurse, so a 5 000-level payload (well within the body limit)
 *   would overflow the stack and answer 500;
 * - a key the pipeline would otherwise drop without a word (`__proto__`, `constructor`,
 *   `prototype`, `toString`, ...), at any depth, `payload` included: a client must not
 *   believe it stored data that was thrown away.
 */
@Injectable()
export class RequestShapePipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata = { type: 'body' }): unknown {
    if (!becomesDto(metadata)) return value;
    // +1: the body itself is one level above the free-form objects it carries.
    if (exceedsNestingDepth(value, MAX_NESTING_DEPTH + 1)) {
      throw new BadRequestException(`The request nests more than ${MAX_NESTING_DEPTH} levels`);
    }
    const dropped = findSilentlyDroppedKey(value);
    if (dropped) {
      // The key is one of a known few; the field is the client's, so it is cut short.
      const field = JSON.stringify(dropped.field.slice(0, 64));
      throw new BadRequestException([
        dropped.key === dropped.field
          ? `the key "${dropped.key}" is not allowed in a request`
          : `${field} must not contain the key "${dropped.key}" at any depth`,
      ]);
    }
    return value;
  }
}
