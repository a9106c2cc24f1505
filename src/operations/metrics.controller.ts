import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeEndpoint } from '@nestjs/swagger';
import { ApprovalEventsMetrics } from '@app/approval-events';

@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: ApprovalEventsMetrics) {}

  /** Prometheus text: the library's metrics and the process defaults, in one registry. */
  @Get()
  @ApiExcludeEndpoint()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
