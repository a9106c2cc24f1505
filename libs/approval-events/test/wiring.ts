import { ApprovalEventManager } from '../src/manager/approval-event.manager';
import { ApprovalEventsMetrics } from '../src/approval-events.metrics';
import { resolveApprovalEventsOptions } from '../src/approval-events.options';
import { ApprovalQueueBridge } from '../src/bridge/approval-queue.bridge';
import { ApprovalEventCoverage } from '../src/links/event-coverage';
import { ApprovalChannels } from '../src/manager/approval-channels';
import type { ApprovalEventsModuleOptions } from '../src/interfaces/approval-events-options.interface';
import type { ApprovalStatusSource } from '../src/interfaces/approval-status-source.interface';
import { ApprovalStatusReader } from '../src/reading/approval-status.reader';
import { ApprovalWaitRegistry } from '../src/waits/approval-wait.registry';
import { ApprovalWatches } from '../src/bridge/approval-watches';
import { FakeStatusSource } from './fake-status-source';

/** The library's core objects, wired as `ApprovalEventsModule` wires them. */
export interface ApprovalEventsWiring<S extends ApprovalStatusSource = FakeStatusSource> {
  source: S;
  options: ReturnType<typeof resolveApprovalEventsOptions>;
  metrics: ApprovalEventsMetrics;
  coverage: ApprovalEventCoverage;
  waits: ApprovalWaitRegistry;
  channels: ApprovalChannels;
  manager: ApprovalEventManager;
  reader: ApprovalStatusReader;
  watches: ApprovalWatches;
  bridge: ApprovalQueueBridge;
  /** Runs the shutdown hooks in the order Nest runs them. */
  shutdown(): void;
}

/**
 * Builds the core without Nest, for unit specs with fake timers and for the benchmarks:
 * options → metrics → coverage → wait registry → channels → manager → reader → watches →
 * bridge, the
 * order the module's providers resolve in. `source` defaults to a {@link FakeStatusSource}.
 */
export function createApprovalEvents<S extends ApprovalStatusSource = FakeStatusSource>(
  overrides: ApprovalEventsModuleOptions & { source?: S } = {},
): ApprovalEventsWiring<S> {
  const { source: given, ...rest } = overrides;
  const source = (given ?? new FakeStatusSource()) as S;
  const options = resolveApprovalEventsOptions({ statusSource: source, ...rest });
  const metrics = new ApprovalEventsMetrics(options);
  const coverage = new ApprovalEventCoverage();
  const waits = new ApprovalWaitRegistry(options, metrics);
  const channels = new ApprovalChannels();
  const manager = new ApprovalEventManager(options, metrics, coverage, waits, channels);
  const reader = new ApprovalStatusReader(source);
  const watches = new ApprovalWatches(options, manager, channels, coverage, reader, metrics, waits);
  const bridge = new ApprovalQueueBridge(options, reader, watches, waits);
  const shutdown = () => {
    waits.beforeApplicationShutdown();
    manager.onApplicationShutdown();
    watches.onApplicationShutdown();
    coverage.onApplicationShutdown();
  };
  return {
    source,
    options,
    metrics,
    coverage,
    waits,
    channels,
    manager,
    reader,
    watches,
    bridge,
    shutdown,
  };
}
