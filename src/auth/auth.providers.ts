import type { Provider } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import type { Environment } from '../config/environment';
import { restCredentialsFrom, type RestCredentials } from '../config/rest-credentials.config';
import { ApiKeyAuthenticator } from './api-key.authenticator';
import { AuthGuard } from './auth.guard';
import { JwtAuthenticator } from './jwt.authenticator';
import { RestAuthenticator } from './rest.authenticator';

/** Injection token of the {@link RestCredentials} read at boot. */
export const REST_CREDENTIALS = Symbol('REST_CREDENTIALS');

/** The credentials and their authenticators, built once from the validated environment. */
export const AUTH_PROVIDERS: Provider[] = [
  {
    provide: REST_CREDENTIALS,
    inject: [ConfigService],
    useFactory: (config: ConfigService<Environment, true>): RestCredentials =>
      restCredentialsFrom({
        NODE_ENV: config.get('NODE_ENV', { infer: true }),
        API_KEY: config.get('API_KEY', { infer: true }),
        API_KEYS: config.get('API_KEYS', { infer: true }),
        AUTH_JWT_SECRET: config.get('AUTH_JWT_SECRET', { infer: true }),
        AUTH_JWKS_URL: config.get('AUTH_JWKS_URL', { infer: true }),
        AUTH_JWT_ISSUER: config.get('AUTH_JWT_ISSUER', { infer: true }),
        AUTH_JWT_AUDIENCE: config.get('AUTH_JWT_AUDIENCE', { infer: true }),
      }),
  },
  {
    provide: ApiKeyAuthenticator,
    inject: [REST_CREDENTIALS],
    useFactory: (credentials: RestCredentials) => new ApiKeyAuthenticator(credentials.apiKeys),
  },
  {
    provide: JwtAuthenticator,
    inject: [REST_CREDENTIALS],
    useFactory: (credentials: RestCredentials) => new JwtAuthenticator(credentials.jwt ?? {}),
  },
  RestAuthenticator,
  { provide: APP_GUARD, useClass: AuthGuard },
];
