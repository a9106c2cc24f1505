import {
  type BeforeApplicationShutdown,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { exhaustMap, from, type Subscription, timer } from 'rxjs';
import { ApprovalsStoreUnavailableError } from '../errors/approvals-store-unavailable.error';
import type { PostgresApprovalsRepository } from './postgres-approvals.repository';

/**
 * Runs the PostgreSQL store's {@link PostgresApprovalsRepository.sweep} every `periodMs`
 * (≤ 1 s), so every approval past its deadline is ended and every due reminder claimed
 * within a period, by whichever replica gets there first. Every replica runs one: the sweep
 * takes each row exactly once (`FOR UPDATE SKIP LOCKED`), so more replicas share the work
 * rather than repeat it, and the store's trigger announces each ending to all of them.
 *
 * Its life is Nest's: it starts at bootstrap (its first sweep at once, catching up on what
 * fell due while no replica ran), and stops before shutdown, awaiting the sweep in flight,
 * so the pool is never ended under it and no timer stays. RxJS keeps the schedule:
 * `exhaustMap` skips ticks while a sweep runs, so sweeps never overlap on one replica.
 *
 * A sweep that fails does not stop the next: an unreachable store is logged once per outage
 * by the store itself; any other failure is logged when it first happens and when sweeps
 * work again, not once a second.
 *
 * @example
 * new ApprovalsExpirySweeper(repository, 1_000).onApplicationBootstrap();
 */
export class ApprovalsExpirySweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ApprovalsExpirySweeper.name);
  private schedule: Subscription | undefined;
  private inFlight: Promise<void> | undefined;
  private failing = false;

  constructor(
    private readonly repository: PostgresApprovalsRepository,
    readonly periodMs: number,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule ??= timer(0, this.periodMs)
      .pipe(exhaustMap(() => from((this.inFlight = this.sweepOnce()))))
      .subscribe();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.schedule?.unsubscribe();
    this.schedule = undefined;
    await this.inFlight;
  }

  /** One sweep; never rejects. */
  private async sweepOnce(): Promise<void> {
    try {
      await this.repository.sweep();
      if (this.failing) this.logger.log('Expiry sweeps work again');
      this.failing = false;
    } catch (error) {
      if (error instanceof ApprovalsStoreUnavailableError || this.failing) return;
      this.failing = true;
      this.logger.error(
        `Expiry sweep failed (retrying every ${this.periodMs} ms): ${String(error)}`,
      );
    }
  }
}
