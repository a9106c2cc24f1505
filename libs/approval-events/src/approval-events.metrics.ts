import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { RejectionReason, ResolutionSource } from './approval-events.constants';
import {
  APPROVAL_EVENTS_OPTIONS,
  type ResolvedApprovalEventsOptions,
} from './approval-events.options';

/**
 * The library's Prometheus metrics, under the contract's names. They live in
 * {@link ApprovalEventsMetrics.registry}; serve it from your `/metrics` route.
 *
 * @example
 * @Get('metrics')
 * metrics() { return this.approvalMetrics.registry.metrics(); }
 */
@Injectable()
export class ApprovalEventsMetrics {
  /** The registry every metric below is registered in. */
  readonly registry: Registry;
  /** `approval_waits_pending`: waits in progress now. */
  readonly waitsPending: Gauge;
  /** `approval_events_received_total{source}`: resolutions fed in. */
  readonly eventsReceived: Counter<'source'>;
  /** `approval_events_rejected_total{reason}`: events refused. */
  readonly eventsRejected: Counter<'reason'>;
  /** `approval_wait_fallback_total`: waits that had to poll. */
  readonly waitFallbacks: Counter;
  /** `approval_wake_latency_seconds`: from a resolution arriving to its waiters being woken. */
  readonly wakeLatency: Histogram;
  /**
   * Resolutions fed in, counted in a plain map on the hot path and copied into
   * {@link ApprovalEventsMetrics.eventsReceived} when it is collected: a labelled `inc()` hashes its labels on
   * every call, which cost more than all the rest of dispatching a resolution.
   */
  private readonly receivedBySource = new Map<ResolutionSource, number>();

  /** @internal Built by Nest's injector from the module's providers; inject it instead. */
  constructor(@Inject(APPROVAL_EVENTS_OPTIONS) options: ResolvedApprovalEventsOptions) {
    const registers = [options.metricsRegistry];
    this.registry = options.metricsRegistry;
    this.waitsPending = new Gauge({
      name: 'approval_waits_pending',
      help: 'Approval waits in progress now',
      registers,
    });
    const receivedBySource = this.receivedBySource;
    this.eventsReceived = new Counter({
      name: 'approval_events_received_total',
      help: 'Approval resolutions fed in, by source',
      labelNames: ['source'],
      registers,
      collect() {
        this.reset();
        for (const [source, count] of receivedBySource) this.inc({ source }, count);
      },
    });
    this.eventsRejected = new Counter({
      name: 'approval_events_rejected_total',
      help: 'Approval events refused, by reason',
      labelNames: ['reason'],
      registers,
    });
    this.waitFallbacks = new Counter({
      name: 'approval_wait_fallback_total',
      help: 'Approval waits that had to poll because events could not reach their approval',
      registers,
    });
    this.wakeLatency = new Histogram({
      name: 'approval_wake_latency_seconds',
      help: 'From a resolution arriving to its waiters being woken',
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
  }

  /** Counts one resolution fed in from `source`. */
  received(source: ResolutionSource): void {
    this.receivedBySource.set(source, (this.receivedBySource.get(source) ?? 0) + 1);
  }

  /** Counts one event refused for `reason`. */
  rejected(reason: RejectionReason): void {
    this.eventsRejected.inc({ reason });
  }
}
