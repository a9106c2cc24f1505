import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { ApprovalEventsModule } from '@app/approval-events';
import { busWorkspacesFrom } from '@app/config';
import { type WorkerEnvironment, validateWorkerEnvironment } from './config/worker-environment';
import { RemoteAgent } from './remote-agent.service';

/**
 * An agent process outside the host: it reads approvals over HTTP (`APPROVALS_API_URL`)
 * and hears decisions on the host's Socket.io bus (`EVENT_BUS_URL`), polling only while
 * the bus is unreachable.
 */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, cache: true, validate: validateWorkerEnvironment }),
    EventEmitterModule.forRoot(),
    HttpModule,
    ApprovalEventsModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<WorkerEnvironment, true>) => ({
        approvalsApiUrl: config.get('APPROVALS_API_URL', { infer: true }),
        apiKey: config.get('API_KEY', { infer: true }),
        pollIntervalMs: config.get('APPROVAL_POLL_INTERVAL_MS', { infer: true }),
        eventBusUrl: config.get('EVENT_BUS_URL', { infer: true }),
        eventBusToken: config.get('APPROVAL_EVENTS_SUBSCRIBER_TOKEN', { infer: true }),
        ...busWorkspacesFrom(config.get('EVENT_BUS_WORKSPACES', { infer: true })),
      }),
    }),
  ],
  providers: [RemoteAgent],
  exports: [RemoteAgent],
})
export class AgentWorkerModule {}
