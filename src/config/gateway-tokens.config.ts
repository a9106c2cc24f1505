import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { Environment } from './environment';

export interface GatewaySecrets {
  producerToken?: string;
  subscriberToken?: string;
  jwtSecret?: string;
}

type TokenEnvironment = Pick<
  Environment,
  | 'NODE_ENV'
  | 'APPROVAL_EVENTS_PRODUCER_TOKEN'
  | 'APPROVAL_EVENTS_SUBSCRIBER_TOKEN'
  | 'APPROVAL_EVENTS_JWT_SECRET'
>;

const random = () => randomBytes(32).toString('base64url');

/**
 * The gateway's secrets from the environment. With no static token set, a development host
 * makes a random pair and logs it once so a newcomer can connect; a production host refuses
 * to start rather than run an event bus nobody configured. A development host without a JWT
 * secret makes one for this run (never logged: it only signs tokens this process issues).
 */
export function gatewaySecretsFrom(
  environment: TokenEnvironment,
  logger = new Logger('GatewayTokens'),
): GatewaySecrets {
  const production = environment.NODE_ENV === 'production';
  const jwtSecret = environment.APPROVAL_EVENTS_JWT_SECRET ?? (production ? undefined : random());
  const producerToken = environment.APPROVAL_EVENTS_PRODUCER_TOKEN;
  const subscriberToken = environment.APPROVAL_EVENTS_SUBSCRIBER_TOKEN;
  if (producerToken || subscriberToken) return { producerToken, subscriberToken, jwtSecret };
  if (production) {
    throw new Error(
      'APPROVAL_EVENTS_PRODUCER_TOKEN or APPROVAL_EVENTS_SUBSCRIBER_TOKEN must be set when NODE_ENV=production',
    );
  }
  const generated = { producerToken: random(), subscriberToken: random(), jwtSecret };
  // Development only: the contract asks for the generated tokens to be shown at boot.
  logger.warn(
    `No gateway tokens configured; generated for this run: producer=${generated.producerToken} subscriber=${generated.subscriberToken}`,
  );
  return generated;
}
