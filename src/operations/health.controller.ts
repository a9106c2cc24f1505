import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { DatabaseHealthIndicator } from '../approvals/postgres';
import { EventBusHealthIndicator } from './event-bus.health';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly eventBus: EventBusHealthIndicator,
    private readonly database: DatabaseHealthIndicator,
  ) {}

  /** Terminus report: 200 while every indicator is up, 503 otherwise. */
  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.eventBus.check(), () => this.database.check()]);
  }
}
