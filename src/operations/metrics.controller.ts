import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeEndpoint } from '@nestjs/swagger';
import { ApprovalEventsMetrics } from '@app/approval-events';
import { Registry } from 'prom-client';

@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: ApprovalEventsMetrics) {}

  /** Prometheus text: the library's metrics and the process defaults, in one registry. */
  @Get()
  @ApiExcludeEndpoint()
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
