import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { MAX_API_KEY_LENGTH, parseApiKeys, type KeyedPrincipal } from '../auth/api-key-entry';
import { hasCapability } from '../auth/capabilities';
import { ALL_WORKSPACES, principalFrom } from '../auth/principal';
import type { JwtSettings } from '../auth/jwt.authenticator';
import type { Environment } from './environment';

/** The principal the legacy `API_KEY` stands for: an agent on every workspace. */
export const LEGACY_API_KEY_ID = 'api-key';

/** Ids of the keys a development host generates when no REST credential is configured. */
export const DEV_AGENT_ID = 'dev-agent';
export const DEV_APPROVER_ID = 'dev-approver';

/** What the REST API accepts: keyed principals, and bearer tokens when `jwt` is set. */
export interface RestCredentials {
  apiKeys: KeyedPrincipal[];
  jwt?: JwtSettings;
}

type CredentialEnvironment = Partial<
  Pick<
    Environment,
    | 'NODE_ENV'
    | 'API_KEY'
    | 'API_KEYS'
    | 'AUTH_JWT_SECRET'
    | 'AUTH_JWKS_URL'
    | 'AUTH_JWT_ISSUER'
    | 'AUTH_JWT_AUDIENCE'
  >
>;

/** A REST credential setting that cannot work; the message names the settings, never a value. */
export class RestCredentialsError extends Error {
  override readonly name = 'RestCredentialsError';

  constructor(readonly problems: readonly string[]) {
    super(`Invalid REST credentials:\n- ${problems.join('\n- ')}`);
  }
}

/**
 * The REST API's credentials from the environment: `API_KEYS`, the legacy `API_KEY` (one
 * agent key on every workspace, id `api-key`), and bearer tokens (`AUTH_JWT_SECRET`, and/or
 * `AUTH_JWKS_URL` with `AUTH_JWT_ISSUER` and `AUTH_JWT_AUDIENCE`).
 *
 * With none of them, a production host refuses to start, naming what to set; any other host
 * generates an agent key and an approver key for this run and logs them once, as it does
 * its gateway tokens, so `npm start` is enough to try everything. There is no open mode.
 *
 * @throws RestCredentialsError naming each setting that cannot work.
 */
export function restCredentialsFrom(
  environment: CredentialEnvironment,
  logger = new Logger('RestCredentials'),
): RestCredentials {
  const problems: string[] = [];
  const apiKeys = keyedPrincipalsFrom(environment, problems);
  const jwt = jwtSettingsFrom(environment, problems);
  if (problems.length > 0) throw new RestCredentialsError(problems);
  if (apiKeys.length === 0 && !jwt) {
    if (environment.NODE_ENV === 'production') {
      throw new RestCredentialsError([
        'NODE_ENV=production needs a REST credential and none is set: set API_KEYS (or API_KEY), or AUTH_JWT_SECRET, or AUTH_JWKS_URL with AUTH_JWT_ISSUER and AUTH_JWT_AUDIENCE',
      ]);
    }
    return { apiKeys: generatedKeys(logger) };
  }
  if (!jwt && !apiKeys.some(({ principal }) => hasCapability(principal, 'decide'))) {
    logger.warn(
      'No configured principal may approve or reject (API_KEY alone is an agent key): add an approver to API_KEYS, or accept bearer tokens',
    );
  }
  return { apiKeys, jwt };
}

function keyedPrincipalsFrom(
  environment: CredentialEnvironment,
  problems: string[],
): KeyedPrincipal[] {
  const parsed = environment.API_KEYS === undefined ? [] : parseApiKeys(environment.API_KEYS);
  if (parsed.some((entry) => typeof entry === 'string')) {
    problems.push(...(parsed as string[]));
    return [];
  }
  const keyed = parsed as KeyedPrincipal[];
  const legacy = environment.API_KEY;
  if (legacy === undefined) return keyed;
  if (legacy.length > MAX_API_KEY_LENGTH) {
    problems.push(`API_KEY must be at most ${MAX_API_KEY_LENGTH} characters`);
  }
  if (keyed.some(({ principal }) => principal.id === LEGACY_API_KEY_ID)) {
    problems.push(`API_KEYS must not use the id "${LEGACY_API_KEY_ID}" while API_KEY is set`);
  }
  if (keyed.some(({ key }) => key === legacy)) {
    problems.push('API_KEY must not be one of the keys in API_KEYS');
  }
  return [...keyed, legacyPrincipal(legacy)];
}

/** `API_KEY` as it always was: one agent key on every workspace, which can no longer decide. */
function legacyPrincipal(key: string): KeyedPrincipal {
  return {
    key,
    principal: principalFrom('api_key', {
      id: LEGACY_API_KEY_ID,
      roles: ['agent'],
      workspaces: [ALL_WORKSPACES],
    }),
  };
}

function jwtSettingsFrom(
  environment: CredentialEnvironment,
  problems: string[],
): JwtSettings | undefined {
  const { AUTH_JWT_SECRET, AUTH_JWKS_URL, AUTH_JWT_ISSUER, AUTH_JWT_AUDIENCE } = environment;
  if (AUTH_JWKS_URL !== undefined) {
    if (AUTH_JWT_ISSUER === undefined) problems.push('AUTH_JWKS_URL needs AUTH_JWT_ISSUER');
    if (AUTH_JWT_AUDIENCE === undefined) problems.push('AUTH_JWKS_URL needs AUTH_JWT_AUDIENCE');
    // Over plain HTTP, whoever sits on the path could serve its own keys and mint tokens.
    if (environment.NODE_ENV === 'production' && !AUTH_JWKS_URL.startsWith('https:')) {
      problems.push('AUTH_JWKS_URL must be https when NODE_ENV=production');
    }
  }
  if (AUTH_JWT_SECRET === undefined && AUTH_JWKS_URL === undefined) {
    for (const name of ['AUTH_JWT_ISSUER', 'AUTH_JWT_AUDIENCE'] as const) {
      if (environment[name] !== undefined) {
        problems.push(`${name} is set but neither AUTH_JWT_SECRET nor AUTH_JWKS_URL is`);
      }
    }
    return undefined;
  }
  return {
    secret: AUTH_JWT_SECRET,
    jwksUrl: AUTH_JWKS_URL,
    issuer: AUTH_JWT_ISSUER,
    audience: AUTH_JWT_AUDIENCE,
  };
}

const randomKey = () => randomBytes(32).toString('base64url');

/** Development only: an agent and an approver on every workspace, for this run. */
function generatedKeys(logger: Logger): KeyedPrincipal[] {
  const agent = randomKey();
  const approver = randomKey();
  // Shown at boot, as the gateway tokens are: the README's walkthrough copies this line.
  logger.warn(
    `No REST credentials configured; generated API keys for this run (${DEV_AGENT_ID}: agent, ${DEV_APPROVER_ID}: approver): export AGENT_KEY=${agent} APPROVER_KEY=${approver}`,
  );
  const everywhere = [ALL_WORKSPACES];
  return [
    {
      key: agent,
      principal: principalFrom('api_key', {
        id: DEV_AGENT_ID,
        roles: ['agent'],
        workspaces: everywhere,
      }),
    },
    {
      key: approver,
      principal: principalFrom('api_key', {
        id: DEV_APPROVER_ID,
        roles: ['approver'],
        workspaces: everywhere,
      }),
    },
  ];
}
