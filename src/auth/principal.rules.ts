import { applyDecorators } from '@nestjs/common';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsIn,
  IsString,
  Matches,
  registerDecorator,
  type ValidationError,
} from 'class-validator';
import { ID_PATTERN } from '../approvals/approvals.constants';
import { ALL_WORKSPACES } from './principal';
import { ROLES } from './roles';

/**
 * A principal's id: 1 to 128 printable ASCII characters that are safe in a URL, a log line
 * and an HTML attribute (letters, digits and `_ . : @ | + -`, so e-mail addresses and
 * `auth0|…` subjects fit). ASCII only, so no look-alike of another id passes.
 */
export const PRINCIPAL_ID_PATTERN = /^[A-Za-z0-9_.:@|+-]{1,128}$/;

/**
 * Prefixes no principal id may start with: `role:` names a role where a list of approvers
 * is expected, and `system:` is what the host records for its own decisions (an expiry).
 * A principal called `system:expiry` could otherwise pass for the host.
 */
export const RESERVED_ID_PREFIXES: readonly string[] = ['role:', 'system:'];

/** Most workspaces one principal may name; the scoped Socket.io tokens have the same bound. */
export const MAX_PRINCIPAL_WORKSPACES = 100;

const UNRESERVED = new RegExp(`^(?!${RESERVED_ID_PREFIXES.join('|')})`);
const WORKSPACE_OR_ALL = new RegExp(`${ID_PATTERN.source}|^\\${ALL_WORKSPACES}$`);

/** The id rule, for a `sub` claim or an API key entry's `id`, named `label` in messages. */
export const PrincipalId = (label: string) =>
  applyDecorators(
    IsString({ message: `${label} must be a string` }),
    Matches(PRINCIPAL_ID_PATTERN, {
      message: `${label} must be 1 to 128 characters of [A-Za-z0-9_.:@|+-]`,
    }),
    Matches(UNRESERVED, {
      message: `${label} must not start with ${RESERVED_ID_PREFIXES.join(' or ')}`,
    }),
  );

/** At least one known role, each once. */
export const PrincipalRoles = () =>
  applyDecorators(
    IsArray({ message: 'roles must be an array' }),
    ArrayNotEmpty({ message: 'roles must name at least one role' }),
    ArrayMaxSize(ROLES.length, { message: `roles must name at most ${ROLES.length} roles` }),
    ArrayUnique({ message: 'roles must not repeat a role' }),
    IsIn(ROLES, { each: true, message: `each role must be one of ${ROLES.join(', ')}` }),
  );

/**
 * Exactly `['*']` (every workspace), or 1 to {@link MAX_PRINCIPAL_WORKSPACES} distinct
 * workspace ids. `'*'` as a bare string, or `'*'` beside ids, is refused rather than read
 * one way or the other: a claim that could mean "all" or "these" means neither.
 */
export const PrincipalWorkspaces = () =>
  applyDecorators(
    IsArray({ message: `workspaces must be an array (["${ALL_WORKSPACES}"] for all)` }),
    ArrayNotEmpty({ message: 'workspaces must name at least one workspace' }),
    ArrayMaxSize(MAX_PRINCIPAL_WORKSPACES, {
      message: `workspaces must name at most ${MAX_PRINCIPAL_WORKSPACES} workspaces`,
    }),
    ArrayUnique({ message: 'workspaces must not repeat a workspace' }),
    Matches(WORKSPACE_OR_ALL, {
      each: true,
      message: 'each workspace must be 1 to 128 characters of [A-Za-z0-9_.:-]',
    }),
    AllWorkspacesAlone(),
  );

function AllWorkspacesAlone(): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'allWorkspacesAlone',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `workspaces must be exactly ["${ALL_WORKSPACES}"] to mean all` },
      validator: {
        validate: (value: unknown) =>
          !Array.isArray(value) || value.length === 1 || !value.includes(ALL_WORKSPACES),
      },
    });
}

/** class-validator's errors as one line each, `property: constraint, constraint`. */
export function describeProblems(errors: readonly ValidationError[]): string[] {
  return errors.map((error) => Object.values(error.constraints ?? {}).join(', '));
}
