import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { ApprovalEventsModule } from '@app/approval-events';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { AgentsModule } from './agents/agents.module';
import { ApprovalsStoreModule } from './approvals/approvals-store.module';
import { ApprovalsModule } from './approvals/approvals.module';
import { decisionChannelFor } from './approvals/postgres/decision-channel';
import { StoreApprovalStatusSource } from './approvals/store-approval-status.source';
import { busWorkspacesFrom } from '@app/config';
import { type Environment, validateEnvironment } from './config/environment';
import { gatewaySecretsFrom } from './config/gateway-tokens.config';
import { EventTokensModule } from './event-tokens/event-tokens.module';
import { InboxModule } from './inbox/inbox.module';
import { OperationsModule } from './operations/operations.module';
import { AuthModule } from './auth';

/**
 * With `DATABASE_URL`, the PostgreSQL store announces every committed decision on its
 * schema's channel (migration 2), and the library LISTENs there: replicas sharing the
 * database wake each other without Redis, even when the deciding replica dies right after
 * its commit. Without it there is no shared store and nothing to listen to.
 */
function storeNotifyOptions(config: ConfigService<Environment, true>) {
  const url = config.get('DATABASE_URL', { infer: true });
  if (!url) return {};
  return {
    storeNotifyUrl: url,
    storeNotifyChannel: decisionChannelFor(config.get('DATABASE_SCHEMA', { infer: true })),
  };
}

/**
 * The modular-monolith host: the approvals (Foundation) module owns the store, the
 * library waits on it in-process (its store is the status source, no HTTP to itself),
 * and the Socket.io gateway publishes every decision to other processes. Replicas on one
 * PostgreSQL store hear each other's decisions from the store itself; `REDIS_URL` adds the
 * Redis link (for events the store does not announce, such as a producer's). Every `/api`
 * request passes the `AuthModule`'s global guard: a principal, its workspaces, its roles.
 */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, validate: validateEnvironment }),
    EventEmitterModule.forRoot(),
    AuthModule,
    ApprovalsModule,
    ApprovalEventsModule.forRootAsync({
      gateway: true,
      imports: [ApprovalsStoreModule],
      inject: [ConfigService, StoreApprovalStatusSource],
      useFactory: (
        config: ConfigService<Environment, true>,
        statusSource: StoreApprovalStatusSource,
      ) => {
        const secrets = gatewaySecretsFrom({
          NODE_ENV: config.get('NODE_ENV', { infer: true }),
          APPROVAL_EVENTS_PRODUCER_TOKEN: config.get('APPROVAL_EVENTS_PRODUCER_TOKEN', {
            infer: true,
          }),
          APPROVAL_EVENTS_SUBSCRIBER_TOKEN: config.get('APPROVAL_EVENTS_SUBSCRIBER_TOKEN', {
            infer: true,
          }),
          APPROVAL_EVENTS_JWT_SECRET: config.get('APPROVAL_EVENTS_JWT_SECRET', { infer: true }),
        });
        const metricsRegistry = new Registry();
        collectDefaultMetrics({ register: metricsRegistry });
        const eventBusUrl = config.get('EVENT_BUS_URL', { infer: true });
        return {
          statusSource,
          metricsRegistry,
          gatewayProducerToken: secrets.producerToken,
          gatewaySubscriberToken: secrets.subscriberToken,
          gatewayJwtSecret: secrets.jwtSecret,
          eventBusUrl,
          eventBusToken: eventBusUrl
            ? config.get('APPROVAL_EVENTS_SUBSCRIBER_TOKEN', { infer: true })
            : undefined,
          ...busWorkspacesFrom(config.get('EVENT_BUS_WORKSPACES', { infer: true })),
          pollIntervalMs: config.get('APPROVAL_POLL_INTERVAL_MS', { infer: true }),
          redisUrl: config.get('REDIS_URL', { infer: true }),
          redisKeyPrefix: config.get('REDIS_KEY_PREFIX', { infer: true }),
          ...storeNotifyOptions(config),
        };
      },
    }),
    AgentsModule,
    EventTokensModule,
    OperationsModule,
    InboxModule,
  ],
})
export class AppModule {}
