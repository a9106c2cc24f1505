import { Module } from '@nestjs/common';
import { AUTH_PROVIDERS } from './auth.providers';

/**
 * Who may call the REST API: principals proven by a bearer JWT or an API key, their roles
 * and workspaces, and the global `AuthGuard` that enforces every route's `@Requires`.
 * Reads `API_KEYS`, `API_KEY`, `AUTH_JWT_SECRET`, `AUTH_JWKS_URL`, `AUTH_JWT_ISSUER` and
 * `AUTH_JWT_AUDIENCE` from the global `ConfigService` once, at boot.
 *
 * @example
 * @Module({ imports: [ConfigModule.forRoot({ isGlobal: true }), AuthModule, ApprovalsModule] })
 * export class AppModule {}
 */
@Module({ providers: AUTH_PROVIDERS })
export class AuthModule {}
