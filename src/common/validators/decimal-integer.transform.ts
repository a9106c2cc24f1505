import { Transform } from 'class-transformer';

/** An optional minus and 1 to 15 decimal digits: every integer it matches is exact in a double. */
const DECIMAL_INTEGER = /^-?\d{1,15}$/;

/**
 * Turns a query string of plain decimal digits into a number and leaves anything else as
 * it came, for `@IsInt()` and the range checks after it to refuse. `@Type(() => Number)`
 * would run `Number(text)`, which reads `''` as 0, `' 7 '` as 7, `'0x10'` as 16 and
 * `'1e2'` as 100: a client's typo would become a value it never meant.
 *
 * @example
 * @IsOptional() @DecimalInteger() @IsInt() @Min(1) limit = 50;
 */
export const DecimalInteger = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && DECIMAL_INTEGER.test(value) ? Number(value) : value,
  );
