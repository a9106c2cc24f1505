import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { Environment } from './environment';

export interface GatewayTokenPair {
  producerToken?: string;
  subscriberToken?: string;
}

/**
 * The gateway's tokens from the environment. With none set, a development host makes a
 * random pair and logs it once so a newcomer can connect; a production host refuses to
 * start rather than run an event bus nobody configured.
 */
export function gatewayTokensFrom(
  environment: Environment,
  logger = new Logger('GatewayTokens'),
): GatewayTokenPair {
  const producerToken = environment.APPROVAL_EVENTS_PRODUCER_TOKEN;
  const subscriberToken = environment.APPROVAL_EVENTS_SUBSCRIBER_TOKEN;
  if (producerToken || subscriberToken) return { producerToken, subscriberToken };
  if (environment.NODE_ENV === 'production') {
    throw new Error(
      'APPROVAL_EVENTS_PRODUCER_TOKEN or APPROVAL_EVENTS_SUBSCRIBER_TOKEN must be set when NODE_ENV=production',
    );
  }
  const generated = {
    producerToken: randomBytes(24).toString('base64url'),
    subscriberToken: randomBytes(24).toString('base64url'),
  };
  // Development only: the contract asks for the generated tokens to be shown at boot.
  logger.warn(
    `No gateway tokens configured; generated for this run: producer=${generated.producerToken} subscriber=${generated.subscriberToken}`,
  );
  return generated;
}
