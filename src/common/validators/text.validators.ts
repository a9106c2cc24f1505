import {
  registerDecorator,
  type ValidationArguments,
  type ValidationOptions,
} from 'class-validator';
import { jsonTextProblem, textProblem, type TextKind } from './text-rules';

function textRule(kind: TextKind, options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: kind === 'single-line' ? 'singleLineText' : 'multiLineText',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: (args: ValidationArguments) =>
          `${args.property} must not contain ${textProblem(args.value as string, kind) ?? 'that text'}`,
        ...options,
      },
      validator: {
        // Not a string: @IsString's to refuse, with its own message.
        validate: (value: unknown) =>
          typeof value !== 'string' || textProblem(value, kind) === undefined,
      },
    });
}

/**
 * A name, label or short reason shown on one line: no control character (tab, CR and LF
 * included), no line separator, no bidi control, no lone surrogate (see `text-rules.ts`).
 * Also what a mail header field needs: a line break there would start a header of the
 * sender's choosing.
 *
 * @example
 * @IsString() @SingleLineText() @Length(1, 128) action: string;
 */
export const SingleLineText = (options?: ValidationOptions) => textRule('single-line', options);

/**
 * Free text that may span lines (notes, a mail body): as {@link SingleLineText}, except
 * that LF and tab are allowed.
 *
 * @example
 * @IsOptional() @IsString() @MultiLineText() @MaxLength(2_000) notes?: string;
 */
export const MultiLineText = (options?: ValidationOptions) => textRule('multi-line', options);

/**
 * Free-form JSON (`payload`): every key and string anywhere in it is valid Unicode (no lone
 * surrogate) without NUL; any other character is kept as sent. The 400 names where.
 *
 * @example
 * @IsOptional() @IsObject() @JsonText() payload?: Record<string, unknown>;
 */
export function JsonText(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'jsonText',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: (args: ValidationArguments) => {
          const found = jsonTextProblem(args.value, args.property);
          return found
            ? `${found.path} must not contain ${found.problem}`
            : `${args.property} must hold valid text`;
        },
        ...options,
      },
      validator: {
        validate: (value: unknown, args: ValidationArguments) =>
          jsonTextProblem(value, args.property) === undefined,
      },
    });
}
