import { registerDecorator, type ValidationOptions } from 'class-validator';

/** C0 controls and DEL, except tab, line feed and carriage return. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** Whether any string or key inside `value` holds NUL. Iterative: no stack to overflow. */
function containsNul(value: unknown): boolean {
  const pending: unknown[] = [value];
  const seen = new Set<object>();
  while (pending.length > 0) {
    const current = pending.pop();
    if (typeof current === 'string') {
      if (current.includes('\0')) return true;
      continue;
    }
    if (typeof current !== 'object' || current === null || seen.has(current)) continue;
    seen.add(current);
    for (const [key, child] of Object.entries(current)) {
      if (key.includes('\0')) return true;
      pending.push(child);
    }
  }
  return false;
}

/**
 * A string has no control characters (tab and line breaks allowed); an object has no NUL
 * anywhere in it. NUL in particular cannot be stored by PostgreSQL in text or jsonb, so
 * without this rule such input would be a 500 on the durable store and a 201 in memory.
 *
 * @example
 * @IsString() @NoControlCharacters() resolvedBy: string;
 */
export function NoControlCharacters(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'noControlCharacters',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: '$property must not contain control characters', ...options },
      validator: {
        validate(value: unknown): boolean {
          if (typeof value === 'string') return !CONTROL_CHARACTERS.test(value);
          return !containsNul(value);
        },
      },
    });
}

/** Every C0 control (tab, CR and LF included), DEL and every C1 control. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const HEADER_CONTROL_CHARACTERS = /[\u0000-\u001F\u007F-\u009F]/;

/**
 * A string fit for a mail or HTTP header field: no control character at all, CR and LF
 * above all, since a line break there starts a header of the sender's choosing (header
 * injection). Stricter than {@link NoControlCharacters}, which lets line breaks through
 * for free text such as a body or notes.
 *
 * @example
 * @IsString() @NoHeaderControlCharacters() subject: string;
 */
export function NoHeaderControlCharacters(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'noHeaderControlCharacters',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: '$property must not contain control characters (line breaks included)',
        ...options,
      },
      validator: {
        validate: (value: unknown): boolean =>
          typeof value !== 'string' || !HEADER_CONTROL_CHARACTERS.test(value),
      },
    });
}
