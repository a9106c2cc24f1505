import { Logger, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { ApprovalEventsModule } from '@app/approval-events';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { AgentsModule } from './agents/agents.module';
import { ApprovalsModule } from './approvals/approvals.module';
import { StoreApprovalStatusSource } from './approvals/store-approval-status.source';
import { type Environment, listFrom, validateEnvironment } from './config/environment';
import { gatewaySecretsFrom } from './config/gateway-tokens.config';
import { ApiKeyGuard } from './common/api-key.guard';
import { EventTokensModule } from './event-tokens/event-tokens.module';
import { InboxModule } from './inbox/inbox.module';
import { OperationsModule } from './operations/operations.module';

/**
 * A shared database without Redis is how several replicas end up each believing their bus
 * is healthy while hearing none of the others' decisions: waits there end only at their
 * final read. Say so at boot rather than let it look fine.
 */
function warnOfSilentReplicas(config: ConfigService<Environment, true>): void {
  if (config.get('DATABASE_URL', { infer: true }) && !config.get('REDIS_URL', { infer: true })) {
    new Logger('Replicas').warn(
      'DATABASE_URL is set without REDIS_URL: run a single replica, or set REDIS_URL so a decision on one replica wakes waits on the others (without it they end only at their timeout)',
    );
  }
}

/**
 * The modular-monolith host: the approvals (Foundation) module owns the store, the
 * library waits on it in-process (its store is the status source, no HTTP to itself),
 * and the Socket.io gateway publishes every decision to other processes.
 */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, validate: validateEnvironment }),
    EventEmitterModule.forRoot(),
    ApprovalsModule,
    ApprovalEventsModule.forRootAsync({
      gateway: true,
      imports: [ApprovalsModule],
      inject: [ConfigService, StoreApprovalStatusSource],
      useFactory: (
        config: ConfigService<Environment, true>,
        statusSource: StoreApprovalStatusSource,
      ) => {
        warnOfSilentReplicas(config);
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
          eventBusWorkspaces: listFrom(config.get('EVENT_BUS_WORKSPACES', { infer: true })),
          pollIntervalMs: config.get('APPROVAL_POLL_INTERVAL_MS', { infer: true }),
          redisUrl: config.get('REDIS_URL', { infer: true }),
          redisKeyPrefix: config.get('REDIS_KEY_PREFIX', { infer: true }),
        };
      },
    }),
    AgentsModule,
    EventTokensModule,
    OperationsModule,
    InboxModule,
  ],
  providers: [{ provide: APP_GUARD, useClass: ApiKeyGuard }],
})
export class AppModule {}
