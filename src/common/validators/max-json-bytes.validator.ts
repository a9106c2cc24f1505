import {
  registerDecorator,
  type ValidationArguments,
  type ValidationOptions,
} from 'class-validator';

/** UTF-8 size of `value` as JSON, or `undefined` when it cannot be serialised (cycles, BigInt). */
export function jsonByteLength(value: unknown): number | undefined {
  try {
    const json = JSON.stringify(value);
    return json === undefined ? undefined : Buffer.byteLength(json, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The property serialises to JSON of at most `maxBytes` UTF-8 bytes. Bounds free-form
 * objects (`payload`) whose size no per-field rule can limit; the body parser's limit is
 * far larger and covers the whole request, not one field.
 *
 * @example
 * @IsObject() @MaxJsonBytes(8 * 1024) payload?: Record<string, unknown>;
 */
export function MaxJsonBytes(maxBytes: number, options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'maxJsonBytes',
      target: target.constructor,
      propertyName: propertyName as string,
      constraints: [maxBytes],
      options: {
        message: (args: ValidationArguments) =>
          `${args.property} must serialise to at most ${String(args.constraints[0])} bytes of JSON`,
        ...options,
      },
      validator: {
        validate(value: unknown, args: ValidationArguments): boolean {
          const size = jsonByteLength(value);
          return size !== undefined && size <= (args.constraints[0] as number);
        },
      },
    });
}
