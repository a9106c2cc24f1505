import { randomUUID } from 'node:crypto';
import { describeApprovalsRepositoryContract } from './approvals.repository.contract-spec';
import type { NewApproval } from './approvals.repository';
import { ApprovalsStoreFullError } from './errors/approvals-store-full.error';
import { InMemoryApprovalsRepository } from './in-memory-approvals.repository';

describeApprovalsRepositoryContract(
  'InMemoryApprovalsRepository',
  () => new InMemoryApprovalsRepository(),
  // Its timer fires for what is due now on the next turn of the event loop.
  () => new Promise((resolve) => setTimeout(resolve, 0)),
);

describe('InMemoryApprovalsRepository bounds', () => {
  const newApproval = (workspaceId: string, id: string = randomUUID()): NewApproval => ({
    id,
    workspaceId,
    action: 'send_email',
    requester: 'agent-7',
    createdAt: new Date().toISOString(),
  });
  const decide = (repository: InMemoryApprovalsRepository, workspaceId: string, id: string) =>
    repository.decide(workspaceId, id, {
      status: 'approved',
      resolvedAt: new Date().toISOString(),
    });

  it('refuses a new approval when the workspace holds only pending ones', async () => {
    const repository = new InMemoryApprovalsRepository({ maxPerWorkspace: 2 });
    await repository.create(newApproval('ws1', 'a'));
    await repository.create(newApproval('ws1', 'b'));
    await expect(repository.create(newApproval('ws1'))).rejects.toThrow(ApprovalsStoreFullError);
    await expect(repository.create(newApproval('ws1'))).rejects.toThrow(
      'The approvals store is full: workspace ws1 already holds 2 pending approvals',
    );
    // Another workspace is not affected by the first one's bound.
    await expect(repository.create(newApproval('ws2'))).resolves.toMatchObject({
      status: 'pending',
    });
    await expect(repository.findOne('ws1', 'a')).resolves.toMatchObject({ status: 'pending' });
  });

  describe('eviction', () => {
    const GRACE_MS = 60_000;

    beforeEach(() => {
      jest.useFakeTimers({ now: new Date('2026-12-01T10:00:00Z') });
    });

    afterEach(() => {
      jest.useRealTimers();
    });

    it('evicts the approval decided longest ago once its grace period is over', async () => {
      const repository = new InMemoryApprovalsRepository({
        maxPerWorkspace: 3,
        decidedGraceMs: GRACE_MS,
      });
      for (const id of ['a', 'b', 'c']) await repository.create(newApproval('ws1', id));
      await decide(repository, 'ws1', 'c');
      await decide(repository, 'ws1', 'b');
      jest.advanceTimersByTime(GRACE_MS);
      await repository.create(newApproval('ws1', 'd'));

      await expect(repository.findOne('ws1', 'c')).resolves.toBeUndefined();
      await expect(repository.findOne('ws1', 'b')).resolves.toMatchObject({ status: 'approved' });
      await expect(repository.findOne('ws1', 'a')).resolves.toMatchObject({ status: 'pending' });
      expect(repository.size).toBe(3);
    });

    it('never evicts a decided approval inside its grace period: it refuses instead', async () => {
      const repository = new InMemoryApprovalsRepository({
        maxPerWorkspace: 2,
        decidedGraceMs: GRACE_MS,
      });
      await repository.create(newApproval('ws1', 'a'));
      await repository.create(newApproval('ws1', 'b'));
      await decide(repository, 'ws1', 'a');
      jest.advanceTimersByTime(GRACE_MS - 1);
      await expect(repository.create(newApproval('ws1'))).rejects.toThrow(
        'The approvals store is full: workspace ws1 already holds 2 approvals, none decided long enough ago to evict',
      );
      // A waiter or a reader that learnt of the decision still finds it.
      await expect(repository.findOne('ws1', 'a')).resolves.toMatchObject({ status: 'approved' });
      jest.advanceTimersByTime(1);
      await repository.create(newApproval('ws1', 'c'));
      await expect(repository.findOne('ws1', 'a')).resolves.toBeUndefined();
    });

    it('filling workspace A to its bound never evicts or refuses workspace B', async () => {
      const repository = new InMemoryApprovalsRepository({
        maxPerWorkspace: 50,
        maxWorkspaces: 3,
        decidedGraceMs: GRACE_MS,
      });
      await repository.create(newApproval('B', 'b-decided'));
      await decide(repository, 'B', 'b-decided');
      await repository.create(newApproval('B', 'b-pending'));
      jest.advanceTimersByTime(GRACE_MS * 10); // B's decision is long past its grace

      // A fills up, decides, and keeps creating past its bound.
      for (let index = 0; index < 50; index++) await repository.create(newApproval('A'));
      await expect(repository.create(newApproval('A'))).rejects.toThrow(ApprovalsStoreFullError);
      for (const approval of await repository.list('A', { limit: 50 })) {
        await decide(repository, 'A', approval.id);
      }
      jest.advanceTimersByTime(GRACE_MS);
      // Each of these evicts one of A's own decided approvals; then A is full of pending ones.
      for (let index = 0; index < 50; index++) await repository.create(newApproval('A'));
      await expect(repository.create(newApproval('A'))).rejects.toThrow(ApprovalsStoreFullError);

      await expect(repository.findOne('B', 'b-decided')).resolves.toMatchObject({
        status: 'approved',
      });
      await expect(repository.findOne('B', 'b-pending')).resolves.toMatchObject({
        status: 'pending',
      });
      await expect(repository.create(newApproval('B'))).resolves.toMatchObject({
        status: 'pending',
      });
      expect(repository.size).toBe(50 + 3);
    });

    it('bounds the workspaces, reclaiming only one that is all history past its grace', async () => {
      const repository = new InMemoryApprovalsRepository({
        maxWorkspaces: 2,
        decidedGraceMs: GRACE_MS,
      });
      await repository.create(newApproval('old', 'o'));
      await decide(repository, 'old', 'o');
      await repository.create(newApproval('busy', 'p'));
      await expect(repository.create(newApproval('new'))).rejects.toThrow(
        'The approvals store is full: the store already holds 2 workspaces with pending or recent approvals',
      );
      // Existing workspaces keep working while new ones are refused.
      await expect(repository.create(newApproval('busy'))).resolves.toBeDefined();

      jest.advanceTimersByTime(GRACE_MS);
      await repository.create(newApproval('new', 'n'));
      await expect(repository.findOne('old', 'o')).resolves.toBeUndefined();
      await expect(repository.findOne('busy', 'p')).resolves.toMatchObject({ status: 'pending' });
      await expect(repository.findOne('new', 'n')).resolves.toBeDefined();
      // `busy` holds a pending approval: it is never reclaimed, however old.
      jest.advanceTimersByTime(GRACE_MS * 100);
      await expect(repository.create(newApproval('another'))).rejects.toThrow(
        ApprovalsStoreFullError,
      );
      expect(repository.size).toBe(3);
    });
  });

  it('refuses bounds that are not positive integers', () => {
    expect(() => new InMemoryApprovalsRepository({ maxWorkspaces: 0 })).toThrow(RangeError);
    expect(() => new InMemoryApprovalsRepository({ maxPerWorkspace: 1.5 })).toThrow(RangeError);
    expect(() => new InMemoryApprovalsRepository({ decidedGraceMs: -1 })).toThrow(RangeError);
  });

  it('refuses pending as a decision', async () => {
    const repository = new InMemoryApprovalsRepository();
    await repository.create(newApproval('ws1', 'a'));
    await expect(
      repository.decide('ws1', 'a', {
        status: 'pending' as never,
        resolvedAt: new Date().toISOString(),
      }),
    ).rejects.toThrow(TypeError);
  });
});
