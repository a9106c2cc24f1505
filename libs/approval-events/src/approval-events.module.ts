import { HttpModule } from '@nestjs/axios';
import { Module, type DynamicModule } from '@nestjs/common';
import type {
  ApprovalEventsModuleAsyncOptions,
  ApprovalEventsModuleExtras,
  ApprovalEventsModuleOptions,
} from './interfaces/approval-events-options.interface';
import { ApprovalEventManager } from './manager/approval-event.manager';
import { ApprovalEventsMetrics } from './approval-events.metrics';
import { ConfigurableModuleClass } from './approval-events.module-definition';
import { APPROVAL_EVENTS_OPTIONS } from './approval-events.options';
import {
  approvalEventsOptionsProvider,
  approvalStatusSourceProvider,
  gatewayTokensProvider,
} from './approval-events.providers';
import { ApprovalQueueBridge } from './bridge/approval-queue.bridge';
import { ApprovalResolvedListener } from './links/approval-resolved.listener';
import { ApprovalEventBusClient } from './links/approval-event-bus.client';
import { ApprovalEventTokens } from './gateway/approval-event.tokens';
import { RedisReplicaLink } from './links/redis-replica.link';
import { PostgresNotifyLink } from './links/postgres-notify.link';
import { ApprovalStatusSource } from './interfaces/approval-status-source.interface';
import { ApprovalEventCoverage } from './links/event-coverage';
import { ApprovalStatusReader } from './reading/approval-status.reader';
import { ApprovalWaitRegistry } from './waits/approval-wait.registry';
import { ApprovalWatches } from './bridge/approval-watches';
import { ApprovalChannels } from './manager/approval-channels';

/**
 * Event-driven approval waits. Import once, in the root module (global by default).
 *
 * @example
 * @Module({
 *   imports: [
 *     EventEmitterModule.forRoot(),
 *     ApprovalEventsModule.forRoot({ approvalsApiUrl: 'http://approvals:3000/api', apiKey }),
 *   ],
 * })
 * export class AgentsModule {}
 */
@Module({
  imports: [HttpModule],
  providers: [
    approvalEventsOptionsProvider,
    approvalStatusSourceProvider,
    ApprovalEventsMetrics,
    ApprovalEventCoverage,
    ApprovalWaitRegistry,
    ApprovalChannels,
    ApprovalEventManager,
    ApprovalStatusReader,
    ApprovalWatches,
    ApprovalQueueBridge,
    ApprovalResolvedListener,
    ApprovalEventBusClient,
    RedisReplicaLink,
    PostgresNotifyLink,
    gatewayTokensProvider,
    ApprovalEventTokens,
  ],
  exports: [
    ApprovalEventTokens,
    APPROVAL_EVENTS_OPTIONS,
    ApprovalStatusSource,
    ApprovalEventsMetrics,
    ApprovalEventCoverage,
    ApprovalEventManager,
    ApprovalQueueBridge,
  ],
})
export class ApprovalEventsModule extends ConfigurableModuleClass {
  /**
   * Configures the module with options known up front.
   *
   * @example
   * ApprovalEventsModule.forRoot({ statusSource: myStore, gateway: true })
   */
  static override forRoot(
    options: ApprovalEventsModuleOptions & ApprovalEventsModuleExtras,
  ): DynamicModule {
    return super.forRoot(options);
  }

  /**
   * Configures the module from other providers, for example `ConfigService`.
   *
   * @example
   * ApprovalEventsModule.forRootAsync({
   *   inject: [ConfigService],
   *   useFactory: (config: ConfigService) => ({ approvalsApiUrl: config.get('APPROVALS_API_URL') }),
   * })
   */
  static override forRootAsync(options: ApprovalEventsModuleAsyncOptions): DynamicModule {
    return super.forRootAsync(options);
  }
}
