// Imports jest's globals explicitly: this file is not a `*.spec.ts`, so the build's
// tsconfig (which has no jest types) compiles it too.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { Approval } from '@app/approval-events';
import { randomUUID } from 'node:crypto';
import type { Subscription } from 'rxjs';
import {
  type ApprovalsRepository,
  type CreateOptions,
  type DecideOutcome,
  isReplayOf,
  type LifecycleTransition,
  type NewApproval,
} from '../approvals.repository';
import { IdempotencyKeyReusedError } from '../errors/idempotency-key-reused.error';
import { OpenApprovalsLimitError } from '../errors/open-approvals-limit.error';
import { EXPIRY_ACTOR, type ExpiryPolicy } from './approval-deadline';

/**
 * Lets the store do what is due now: the PostgreSQL sweep, or the in-memory store's timer.
 * The suite gives its deadlines in the past, so "now" is enough and no test waits for one.
 */
export type SettleDue = (repository: ApprovalsRepository) => Promise<unknown>;

const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const fromNow = (ms: number) => new Date(Date.now() + ms).toISOString();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const RACE_ROUNDS = 20;
const PARALLEL_CREATES = 20;

/**
 * What every store does with deadlines, reminders, idempotency keys and the open-approvals
 * cap, run by `describeApprovalsRepositoryContract` for each implementation.
 */
export function describeLifecycleContract(
  repositoryOf: () => ApprovalsRepository,
  settleDue: SettleDue,
): void {
  let repository: ApprovalsRepository;
  let workspaceId: string;
  let transitions: LifecycleTransition[];
  let subscription: Subscription;

  const newApproval = (overrides: Partial<NewApproval> = {}): NewApproval => ({
    id: randomUUID(),
    workspaceId,
    action: 'deploy',
    requester: 'agent-7',
    createdAt: ago(60_000),
    ...overrides,
  });
  const approve = (id: string, by = 'alice') =>
    repository.decide(workspaceId, id, {
      status: 'approved',
      resolvedBy: by,
      resolvedAt: new Date().toISOString(),
    });
  const transitionsOf = (id: string) => transitions.filter((t) => t.approval.id === id);

  beforeEach(() => {
    repository = repositoryOf();
    workspaceId = `ws-${randomUUID()}`;
    transitions = [];
    subscription = repository.lifecycle$.subscribe((transition) => transitions.push(transition));
  });

  afterEach(() => subscription.unsubscribe());

  describe('deadlines', () => {
    it('stores the deadline, its policy and the reminder, and leaves them out without one', async () => {
      const expiresAt = fromNow(3_600_000);
      const remindAt = fromNow(600_000);
      const created = await repository.create(
        newApproval({ expiresAt, onExpiry: 'reject', remindAt }),
      );
      expect(created).toMatchObject({ status: 'pending', expiresAt, onExpiry: 'reject', remindAt });
      await expect(repository.findOne(workspaceId, created.id)).resolves.toEqual(created);
      const plain = await repository.create(newApproval());
      for (const field of ['expiresAt', 'onExpiry', 'remindAt', 'remindedAt']) {
        expect(plain).not.toHaveProperty(field);
      }
    });

    it.each<[ExpiryPolicy, Approval['status']]>([
      ['expire', 'expired'],
      ['reject', 'rejected'],
      ['approve', 'auto_approved'],
    ])(
      'ends a due approval with onExpiry %s as %s, by system:expiry, once',
      async (onExpiry, status) => {
        const expiresAt = ago(1_000);
        const { id } = await repository.create(newApproval({ expiresAt, onExpiry }));
        await settleDue(repository);
        await settleDue(repository);

        const ended = (await repository.findOne(workspaceId, id))!;
        expect(ended).toMatchObject({
          status,
          resolvedBy: EXPIRY_ACTOR,
          resolution: { cause: 'expired', expiresAt, onExpiry },
          expiresAt,
          onExpiry,
        });
        expect(Date.parse(ended.resolvedAt!)).toBeGreaterThanOrEqual(Date.parse(expiresAt));
        expect(transitionsOf(id)).toEqual([{ kind: 'expired', approval: ended }]);
      },
    );

    it('leaves an approval whose deadline is still ahead pending', async () => {
      const { id } = await repository.create(
        newApproval({ expiresAt: fromNow(3_600_000), onExpiry: 'expire' }),
      );
      await settleDue(repository);
      await expect(repository.findOne(workspaceId, id)).resolves.toMatchObject({
        status: 'pending',
      });
      expect(transitionsOf(id)).toEqual([]);
    });

    it('lets a decision after the deadline lose to it, even before the store got to it', async () => {
      const { id } = await repository.create(
        newApproval({ expiresAt: ago(1), onExpiry: 'expire' }),
      );
      const outcome = await approve(id);
      expect(outcome).toMatchObject({
        outcome: 'conflict',
        approval: { status: 'expired', resolvedBy: EXPIRY_ACTOR },
      });
      await settleDue(repository);
      expect(transitionsOf(id)).toEqual([
        { kind: 'expired', approval: (outcome as { approval: Approval }).approval },
      ]);
    });

    it(`has exactly one winner when decisions race the deadline, ${RACE_ROUNDS} rounds`, async () => {
      for (let round = 0; round < RACE_ROUNDS; round++) {
        const { id } = await repository.create(
          newApproval({ expiresAt: fromNow(round % 10), onExpiry: 'reject' }),
        );
        const decisions: Promise<DecideOutcome>[] = [];
        for (let index = 0; index < 5; index++) {
          decisions.push(approve(id, `reviewer-${index}`));
          await settleDue(repository);
        }
        await sleep(10);
        await settleDue(repository);
        const outcomes = await Promise.all(decisions);
        const decided = outcomes.filter((outcome) => outcome.outcome === 'decided');
        const expired = transitionsOf(id).filter((t) => t.kind === 'expired');
        const final = (await repository.findOne(workspaceId, id))!;
        expect({ round, transitions: decided.length + expired.length }).toEqual({
          round,
          transitions: 1,
        });
        expect(final.status).toBe(decided.length === 1 ? 'approved' : 'rejected');
        for (const outcome of outcomes) {
          if (outcome.outcome === 'conflict') expect(outcome.approval).toEqual(final);
        }
      }
    });
  });

  describe('reminders', () => {
    it('claims a due reminder once and leaves the approval pending', async () => {
      const { id } = await repository.create(
        newApproval({ remindAt: ago(1), expiresAt: fromNow(3_600_000), onExpiry: 'expire' }),
      );
      const notDue = await repository.create(newApproval({ remindAt: fromNow(600_000) }));
      await settleDue(repository);
      await settleDue(repository);
      const reminded = (await repository.findOne(workspaceId, id))!;
      expect(reminded.status).toBe('pending');
      expect(Date.parse(reminded.remindedAt!)).toBeLessThanOrEqual(Date.now());
      expect(transitionsOf(id)).toEqual([{ kind: 'reminded', approval: reminded }]);
      expect(transitionsOf(notDue.id)).toEqual([]);
    });

    it('never reminds of an approval decided before its reminder', async () => {
      const { id } = await repository.create(newApproval({ remindAt: fromNow(50) }));
      await approve(id);
      await sleep(60);
      await settleDue(repository);
      expect(transitionsOf(id)).toEqual([]);
    });
  });

  describe('idempotency keys', () => {
    const claim = (key: string, fingerprint = 'f1', ttlMs = 60_000): CreateOptions => ({
      idempotency: { key, fingerprint, ttlMs },
    });

    it('answers a replay with the approval the key made, and stores nothing new', async () => {
      const first = newApproval();
      const created = await repository.create(first, claim('k1'));
      expect(isReplayOf(first, created)).toBe(false);
      await approve(created.id);

      const again = newApproval({ action: 'deploy' });
      const replayed = await repository.create(again, claim('k1'));
      expect(isReplayOf(again, replayed)).toBe(true);
      expect(replayed).toMatchObject({ id: created.id, status: 'approved' });
      await expect(repository.findOne(workspaceId, again.id)).resolves.toBeUndefined();
      await expect(repository.list(workspaceId, { limit: 10 })).resolves.toHaveLength(1);
    });

    it('refuses the key with another fingerprint, naming the approval it made', async () => {
      const created = await repository.create(newApproval(), claim('k1', 'f1'));
      const refused = await repository
        .create(newApproval(), claim('k1', 'f2'))
        .catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(IdempotencyKeyReusedError);
      expect(refused).toMatchObject({ workspaceId, approvalId: created.id });
      await expect(repository.list(workspaceId, { limit: 10 })).resolves.toHaveLength(1);
    });

    it('scopes a key to its workspace and requester', async () => {
      const first = await repository.create(newApproval(), claim('k1'));
      const otherRequester = await repository.create(
        newApproval({ requester: 'agent-8' }),
        claim('k1'),
      );
      const otherWorkspace = await repository.create(
        newApproval({ workspaceId: `ws-${randomUUID()}` }),
        claim('k1'),
      );
      expect(new Set([first.id, otherRequester.id, otherWorkspace.id]).size).toBe(3);
    });

    it('forgets a key after its time to live: the next create makes a new approval', async () => {
      const first = await repository.create(newApproval(), claim('k1', 'f1', 1));
      await sleep(20);
      const second = await repository.create(newApproval(), claim('k1', 'f2', 60_000));
      expect(second.id).not.toBe(first.id);
      const third = newApproval();
      await expect(repository.create(third, claim('k1', 'f2'))).resolves.toMatchObject({
        id: second.id,
      });
    });

    it(`makes exactly one approval of ${PARALLEL_CREATES} parallel creates with one key`, async () => {
      const results = await Promise.all(
        Array.from({ length: PARALLEL_CREATES }, () =>
          repository.create(newApproval(), { ...claim('k1'), maxOpenPerRequester: 100 }),
        ),
      );
      expect(new Set(results.map((approval) => approval.id)).size).toBe(1);
      await expect(repository.list(workspaceId, { limit: 100 })).resolves.toHaveLength(1);
    });
  });

  describe('open approvals per requester', () => {
    const capped = (limit: number, more: CreateOptions = {}) => ({
      maxOpenPerRequester: limit,
      ...more,
    });

    it('refuses the create past the cap, for that requester and workspace only', async () => {
      const ids: string[] = [];
      for (let index = 0; index < 3; index++) {
        ids.push((await repository.create(newApproval(), capped(3))).id);
      }
      const refused = await repository
        .create(newApproval(), capped(3))
        .catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(OpenApprovalsLimitError);
      expect(refused).toMatchObject({ limit: 3, retryAfterSeconds: 60 });
      expect((refused as Error).message).toContain('MAX_OPEN_APPROVALS_PER_REQUESTER = 3');
      await expect(
        repository.create(newApproval({ requester: 'agent-8' }), capped(3)),
      ).resolves.toMatchObject({ status: 'pending' });
      await expect(
        repository.create(newApproval({ workspaceId: `ws-${randomUUID()}` }), capped(3)),
      ).resolves.toMatchObject({ status: 'pending' });
      // A decided approval is no longer open.
      await approve(ids[0]);
      await expect(repository.create(newApproval(), capped(3))).resolves.toMatchObject({
        status: 'pending',
      });
    });

    it('counts an expired approval out, and says when the earliest open one expires', async () => {
      const soon = fromNow(90_000);
      await repository.create(newApproval({ expiresAt: soon, onExpiry: 'expire' }), capped(2));
      await repository.create(
        newApproval({ expiresAt: fromNow(3_600_000), onExpiry: 'expire' }),
        capped(2),
      );
      await expect(repository.create(newApproval(), capped(2))).rejects.toMatchObject({
        retryAfterSeconds: 90,
      });

      const other = `ws-${randomUUID()}`;
      await repository.create(
        newApproval({ workspaceId: other, expiresAt: ago(1), onExpiry: 'expire' }),
        capped(1),
      );
      await expect(
        repository.create(newApproval({ workspaceId: other }), capped(1)),
      ).resolves.toMatchObject({ status: 'pending' });
    });

    it('answers a replay at the cap, which does not count twice', async () => {
      const options = capped(1, { idempotency: { key: 'k1', fingerprint: 'f', ttlMs: 60_000 } });
      const first = await repository.create(newApproval(), options);
      await expect(repository.create(newApproval(), options)).resolves.toMatchObject({
        id: first.id,
      });
      await expect(repository.create(newApproval(), capped(1))).rejects.toBeInstanceOf(
        OpenApprovalsLimitError,
      );
    });

    it('never passes the cap under parallel creates', async () => {
      const outcomes = await Promise.allSettled(
        Array.from({ length: 12 }, () => repository.create(newApproval(), capped(5))),
      );
      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(5);
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') {
          expect(outcome.reason).toBeInstanceOf(OpenApprovalsLimitError);
        }
      }
      await expect(
        repository.list(workspaceId, { status: 'pending', limit: 100 }),
      ).resolves.toHaveLength(5);
    });
  });
}
