import type { Approval } from '@app/approval-events';
import type { INestApplication } from '@nestjs/common';
import { ApprovalsRepository } from '../src/approvals/approvals.repository';
import { DecisionPolicy } from '../src/approvals/decision-policy';
import type { BenchChild, ChildMessage } from './child-process';

/**
 * Counts, per approval, the store reads of a host that have completed (`findOne`: every
 * status read, the host's own or a worker's over HTTP, is one), and lets a caller wait for
 * the next one: a long-poll that has read `pending` can only be woken by an event. The read
 * a REST decision makes for its policy (who requested it, for four-eyes) is no status read
 * and is taken off again once its `DecisionPolicy.check` runs.
 */
export class StoreReadCounter {
  private readonly reads = new Map<string, number>();
  private readonly waiters = new Map<string, { count: number; resolve: () => void }[]>();

  /** Wraps the repository's `findOne` in place: the status source and the service share it. */
  static ofApp(app: INestApplication): StoreReadCounter {
    const counter = new StoreReadCounter();
    const repository = app.get<ApprovalsRepository>(ApprovalsRepository);
    const findOne = repository.findOne.bind(repository);
    repository.findOne = async (workspaceId: string, approvalId: string) => {
      const approval: Approval | undefined = await findOne(workspaceId, approvalId);
      counter.record(approvalId);
      return approval;
    };
    const policy = app.get(DecisionPolicy);
    const check = policy.check.bind(policy);
    policy.check = (principal, approval) => {
      counter.reads.set(approval.id, counter.count(approval.id) - 1);
      return check(principal, approval);
    };
    return counter;
  }

  /** Counts the `read` messages of a host in a child process (`replica-host.child.ts`). */
  static ofChild(child: BenchChild): StoreReadCounter {
    const counter = new StoreReadCounter();
    child.onMessage((message: ChildMessage) => {
      if (message.type === 'read') counter.record(message.approvalId as string);
    });
    return counter;
  }

  /** Completed reads of the approval so far. */
  count(approvalId: string): number {
    return this.reads.get(approvalId) ?? 0;
  }

  /** Resolves once at least `count` reads of the approval have completed. */
  async atLeast(approvalId: string, count: number, timeoutMs = 10_000): Promise<void> {
    if (this.count(approvalId) >= count) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => {
        const list = this.waiters.get(approvalId) ?? [];
        list.push({ count, resolve });
        this.waiters.set(approvalId, list);
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no ${count} reads of ${approvalId} in ${timeoutMs} ms`)),
          timeoutMs,
        );
      }),
    ]).finally(() => clearTimeout(timer));
  }

  /** Forgets an approval once a sample is done, so the maps stay small. */
  forget(approvalId: string): void {
    this.reads.delete(approvalId);
    this.waiters.delete(approvalId);
  }

  private record(approvalId: string): void {
    const count = this.count(approvalId) + 1;
    this.reads.set(approvalId, count);
    const list = this.waiters.get(approvalId);
    if (!list) return;
    this.waiters.set(
      approvalId,
      list.filter((waiter) => waiter.count > count),
    );
    for (const waiter of list) if (waiter.count <= count) waiter.resolve();
  }
}
