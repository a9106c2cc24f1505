// Imports jest's globals explicitly: this file is not a `*.spec.ts`, so the build's
// tsconfig (which has no jest types) compiles it too.
import { beforeEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { type Approval } from '@app/approval-events';
import type { ApprovalDecision, ApprovalsRepository, NewApproval } from './approvals.repository';
import { DuplicateApprovalError } from './errors/duplicate-approval.error';
import {
  describeLifecycleContract,
  type SettleDue,
} from './lifecycle/approvals-lifecycle.contract-spec';

export type { SettleDue } from './lifecycle/approvals-lifecycle.contract-spec';

/** Makes the store under test; called before every test. May be async (connect, migrate). */
export type ApprovalsRepositoryFactory = () => ApprovalsRepository | Promise<ApprovalsRepository>;

const CONCURRENT_DECISIONS = 50;

/**
 * The behaviour every {@link ApprovalsRepository} must have, as one suite to run against
 * each implementation. Every test works in fresh random workspaces, so a shared database
 * needs no cleanup between tests.
 *
 * @example
 * describeApprovalsRepositoryContract(
 *   'PostgresApprovalsRepository',
 *   () => new PostgresApprovalsRepository(pool, schema),
 *   (repository) => (repository as PostgresApprovalsRepository).sweep(),
 * );
 */
export function describeApprovalsRepositoryContract(
  name: string,
  factory: ApprovalsRepositoryFactory,
  settleDue: SettleDue,
): void {
  describe(`${name} (ApprovalsRepository contract)`, () => {
    let repository: ApprovalsRepository;
    let workspaceId: string;
    let otherWorkspaceId: string;

    const newApproval = (overrides: Partial<NewApproval> = {}): NewApproval => ({
      id: randomUUID(),
      workspaceId,
      action: 'send_email',
      requester: 'agent-7',
      createdAt: '2026-11-24T10:00:00.000Z',
      ...overrides,
    });

    const decision = (overrides: Partial<ApprovalDecision> = {}): ApprovalDecision => ({
      status: 'approved',
      resolvedBy: 'alice',
      resolvedAt: '2026-11-24T10:05:00.000Z',
      ...overrides,
    });

    beforeEach(async () => {
      repository = await factory();
      workspaceId = `ws-${randomUUID()}`;
      otherWorkspaceId = `ws-${randomUUID()}`;
    });

    describe('create', () => {
      it('stores a pending approval with every given field', async () => {
        const input = newApproval({
          payload: { to: 'bob', nested: { n: 1 } },
          requestedBy: 'agent-7',
          requestedFor: 'Alice Example',
        });
        const created = await repository.create(input);
        expect(created).toEqual({
          id: input.id,
          workspaceId,
          action: 'send_email',
          payload: { to: 'bob', nested: { n: 1 } },
          requestedBy: 'agent-7',
          requestedFor: 'Alice Example',
          status: 'pending',
          createdAt: '2026-11-24T10:00:00.000Z',
        });
        await expect(repository.findOne(workspaceId, input.id)).resolves.toEqual(created);
      });

      it('leaves optional fields out rather than storing them empty', async () => {
        const created = await repository.create(newApproval());
        expect(created).not.toHaveProperty('payload');
        expect(created).not.toHaveProperty('requestedBy');
        expect(created).not.toHaveProperty('requestedFor');
        expect(created).not.toHaveProperty('resolvedAt');
      });

      it('refuses an id its workspace already holds', async () => {
        const input = newApproval();
        await repository.create(input);
        await expect(repository.create({ ...input, action: 'other' })).rejects.toBeInstanceOf(
          DuplicateApprovalError,
        );
        await expect(repository.findOne(workspaceId, input.id)).resolves.toMatchObject({
          action: 'send_email',
        });
      });

      it('keeps the same id in two workspaces apart', async () => {
        const id = randomUUID();
        await repository.create(newApproval({ id, action: 'a' }));
        await repository.create(newApproval({ id, workspaceId: otherWorkspaceId, action: 'b' }));
        await expect(repository.findOne(workspaceId, id)).resolves.toMatchObject({ action: 'a' });
        await expect(repository.findOne(otherWorkspaceId, id)).resolves.toMatchObject({
          action: 'b',
        });
      });
    });

    describe('copies', () => {
      it('is not changed by mutating the input or a returned record', async () => {
        const input = newApproval({ payload: { to: 'bob' } });
        const created = await repository.create(input);
        (input.payload as Record<string, unknown>).to = 'mallory';
        created.status = 'approved';
        (created.payload as Record<string, unknown>).to = 'eve';
        const found = (await repository.findOne(workspaceId, input.id)) as Approval;
        found.action = 'changed';
        (await repository.list(workspaceId, { limit: 10 }))[0].action = 'changed too';

        await expect(repository.findOne(workspaceId, input.id)).resolves.toMatchObject({
          status: 'pending',
          action: 'send_email',
          payload: { to: 'bob' },
        });
      });

      it('is not changed by mutating a decision or its outcome', async () => {
        const { id } = await repository.create(newApproval());
        const resolution = { notes: 'ok' };
        const outcome = await repository.decide(workspaceId, id, decision({ resolution }));
        resolution.notes = 'changed';
        if (outcome.outcome === 'decided') outcome.approval.resolution!.notes = 'changed too';
        await expect(repository.findOne(workspaceId, id)).resolves.toMatchObject({
          resolution: { notes: 'ok' },
        });
      });

      it('returns times as ISO-8601 strings', async () => {
        const { id } = await repository.create(newApproval());
        await repository.decide(workspaceId, id, decision());
        const found = (await repository.findOne(workspaceId, id)) as Approval;
        expect(typeof found.createdAt).toBe('string');
        expect(new Date(found.createdAt).toISOString()).toBe(found.createdAt);
        expect(typeof found.resolvedAt).toBe('string');
        expect(new Date(found.resolvedAt!).toISOString()).toBe(found.resolvedAt);
      });
    });

    describe('findOne', () => {
      it('is undefined for an unknown id', async () => {
        await expect(repository.findOne(workspaceId, randomUUID())).resolves.toBeUndefined();
      });

      it('is undefined for an approval of another workspace', async () => {
        const { id } = await repository.create(newApproval());
        await expect(repository.findOne(otherWorkspaceId, id)).resolves.toBeUndefined();
      });
    });

    describe('list', () => {
      const createInOrder = async (count: number, overrides: Partial<NewApproval> = {}) => {
        const ids: string[] = [];
        for (let index = 0; index < count; index++) {
          const createdAt = new Date(Date.UTC(2026, 10, 24, 10, 0, index)).toISOString();
          ids.push((await repository.create(newApproval({ createdAt, ...overrides }))).id);
        }
        return ids;
      };

      it('returns the newest first', async () => {
        const ids = await createInOrder(3);
        const listed = await repository.list(workspaceId, { limit: 10 });
        expect(listed.map((approval) => approval.id)).toEqual([...ids].reverse());
      });

      it('returns at most limit approvals, the newest', async () => {
        const ids = await createInOrder(5);
        const listed = await repository.list(workspaceId, { limit: 2 });
        expect(listed.map((approval) => approval.id)).toEqual([ids[4], ids[3]]);
      });

      it('filters by status before applying the limit', async () => {
        const ids = await createInOrder(4);
        await repository.decide(workspaceId, ids[0], decision());
        await repository.decide(workspaceId, ids[2], decision({ status: 'rejected' }));
        const approved = await repository.list(workspaceId, { status: 'approved', limit: 1 });
        expect(approved.map((approval) => approval.id)).toEqual([ids[0]]);
        const pending = await repository.list(workspaceId, { status: 'pending', limit: 10 });
        expect(pending.map((approval) => approval.id)).toEqual([ids[3], ids[1]]);
      });

      it('shows only the workspace asked for', async () => {
        await createInOrder(2, { workspaceId: otherWorkspaceId });
        await expect(repository.list(workspaceId, { limit: 10 })).resolves.toEqual([]);
        await expect(repository.list(otherWorkspaceId, { limit: 10 })).resolves.toHaveLength(2);
      });
    });

    describe('decide', () => {
      it('moves a pending approval to the decided status and returns it', async () => {
        const created = await repository.create(newApproval());
        const outcome = await repository.decide(
          workspaceId,
          created.id,
          decision({ status: 'rejected', resolution: { reason: 'too risky' } }),
        );
        const expected: Approval = {
          ...created,
          status: 'rejected',
          resolvedBy: 'alice',
          resolution: { reason: 'too risky' },
          resolvedAt: '2026-11-24T10:05:00.000Z',
        };
        expect(outcome).toEqual({ outcome: 'decided', approval: expected });
        await expect(repository.findOne(workspaceId, created.id)).resolves.toEqual(expected);
      });

      it.each(['approved', 'rejected', 'auto_approved', 'cancelled'] as const)(
        'accepts %s as a decision',
        async (status) => {
          const { id } = await repository.create(newApproval());
          const outcome = await repository.decide(workspaceId, id, decision({ status }));
          expect(outcome).toMatchObject({ outcome: 'decided', approval: { status } });
        },
      );

      it('answers conflict with the current record when already decided', async () => {
        const { id } = await repository.create(newApproval());
        const first = await repository.decide(workspaceId, id, decision());
        const second = await repository.decide(
          workspaceId,
          id,
          decision({ status: 'cancelled', resolvedBy: 'bob' }),
        );
        expect(first.outcome).toBe('decided');
        expect(second).toEqual({
          outcome: 'conflict',
          approval: (first as { approval: Approval }).approval,
        });
        await expect(repository.findOne(workspaceId, id)).resolves.toMatchObject({
          status: 'approved',
          resolvedBy: 'alice',
        });
      });

      it('answers not_found for an unknown id', async () => {
        await expect(repository.decide(workspaceId, randomUUID(), decision())).resolves.toEqual({
          outcome: 'not_found',
        });
      });

      it('answers not_found from another workspace and leaves the approval pending', async () => {
        const { id } = await repository.create(newApproval());
        await expect(repository.decide(otherWorkspaceId, id, decision())).resolves.toEqual({
          outcome: 'not_found',
        });
        await expect(repository.findOne(workspaceId, id)).resolves.toMatchObject({
          status: 'pending',
        });
      });

      it('lets exactly one of many concurrent decisions win', async () => {
        const { id } = await repository.create(newApproval());
        const outcomes = await Promise.all(
          Array.from({ length: CONCURRENT_DECISIONS }, (_, index) =>
            repository.decide(
              workspaceId,
              id,
              decision({
                status: index % 2 === 0 ? 'approved' : 'rejected',
                resolvedBy: `reviewer-${index}`,
              }),
            ),
          ),
        );
        const winners = outcomes.filter((outcome) => outcome.outcome === 'decided');
        const conflicts = outcomes.filter((outcome) => outcome.outcome === 'conflict');
        expect(winners).toHaveLength(1);
        expect(conflicts).toHaveLength(CONCURRENT_DECISIONS - 1);
        const winner = (winners[0] as { approval: Approval }).approval;
        for (const conflict of conflicts) {
          expect((conflict as { approval: Approval }).approval).toEqual(winner);
        }
        await expect(repository.findOne(workspaceId, id)).resolves.toEqual(winner);
      });
    });

    describe('lifecycle', () => describeLifecycleContract(() => repository, settleDue));
  });
}
