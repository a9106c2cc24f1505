import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ApprovalsPostgresModule } from '../approvals/postgres';
import { EventBusHealthIndicator } from './event-bus.health';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';

/** `/health` and `/metrics`, outside the `/api` prefix and the API key. */
@Module({
  imports: [TerminusModule.forRoot({ logger: false }), ApprovalsPostgresModule],
  controllers: [HealthController, MetricsController],
  providers: [EventBusHealthIndicator],
})
export class OperationsModule {}
