import {
  APPROVAL_REQUESTED_EVENT,
  APPROVAL_RESOLVED_EVENT,
  type Approval,
} from '@app/approval-events';
import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  Logger,
  NotFoundException,
  ServiceUnavailableException,
} from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { Principal } from '../auth/principal';
import { ApprovalsService } from './approvals.service';
import { DecisionPolicy, FOUR_EYES_MESSAGE } from './decision-policy';
import { InMemoryApprovalsRepository } from './in-memory-approvals.repository';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const principal = (id: string, role: Principal['roles'][number]): Principal => ({
  id,
  kind: 'api_key',
  roles: [role],
  workspaces: '*',
});
const AGENT = principal('agent-7', 'agent');
const ALICE = principal('alice', 'approver');
const BOB = principal('bob', 'approver');
const CAROL = principal('carol', 'admin');
/** Asks and decides: the principal four-eyes is about. */
const DANA: Principal = { ...principal('dana', 'agent'), roles: ['agent', 'approver'] };

describe('ApprovalsService', () => {
  let repository: InMemoryApprovalsRepository;
  let events: EventEmitter2;
  let resolved: jest.Mock;
  let service: ApprovalsService;

  beforeEach(() => {
    repository = new InMemoryApprovalsRepository();
    events = new EventEmitter2();
    resolved = jest.fn();
    events.on(APPROVAL_RESOLVED_EVENT, resolved);
    service = new ApprovalsService(repository, events, new DecisionPolicy());
  });

  const pending = () =>
    service.create('ws1', { action: 'send_email', requestedBy: 'agent-7' }, AGENT);

  describe('create', () => {
    it('opens a pending approval with a random UUID and an ISO creation time', async () => {
      const first = await service.create(
        'ws1',
        { action: 'send_email', payload: { to: 'bob' } },
        AGENT,
      );
      const second = await pending();
      expect(first).toEqual({
        id: expect.stringMatching(UUID),
        workspaceId: 'ws1',
        action: 'send_email',
        payload: { to: 'bob' },
        requestedBy: 'agent-7',
        status: 'pending',
        createdAt: expect.stringMatching(ISO_DATE),
      });
      expect(second.id).not.toBe(first.id);
      await expect(repository.findOne('ws1', first.id)).resolves.toEqual(first);
      expect(resolved).not.toHaveBeenCalled();
    });

    it('answers 503 when the store is full of pending approvals', async () => {
      service = new ApprovalsService(
        new InMemoryApprovalsRepository({ maxPerWorkspace: 1 }),
        events,
        new DecisionPolicy(),
      );
      await pending();
      await expect(pending()).rejects.toBeInstanceOf(ServiceUnavailableException);
    });

    it('records the creating principal as requestedBy, whatever the body says', async () => {
      const labelled = await service.create(
        'ws1',
        { action: 'pay', requestedBy: 'someone-else' },
        AGENT,
      );
      expect(labelled).toMatchObject({ requestedBy: 'agent-7', requestedFor: 'someone-else' });
      const explicit = await service.create(
        'ws1',
        { action: 'pay', requestedBy: 'agent-7', requestedFor: 'Dana' },
        AGENT,
      );
      expect(explicit).toMatchObject({ requestedBy: 'agent-7', requestedFor: 'Dana' });
      await expect(
        service.create('ws1', { action: 'pay', requestedBy: 'x', requestedFor: 'Dana' }, AGENT),
      ).rejects.toBeInstanceOf(BadRequestException);
    });

    it('emits approval.requested once with the new approval, after the write', async () => {
      const requested = jest.fn();
      const storedWhenEmitted: (Approval | undefined)[] = [];
      events.on(APPROVAL_REQUESTED_EVENT, (approval: Approval) => {
        requested(approval);
        // The in-memory findOne reads when called: this is the store as it was at emit time.
        void repository
          .findOne(approval.workspaceId, approval.id)
          .then((found) => storedWhenEmitted.push(found));
      });

      const approval = await pending();
      await Promise.resolve();

      expect(requested).toHaveBeenCalledTimes(1);
      expect(requested).toHaveBeenCalledWith(approval);
      expect(storedWhenEmitted).toEqual([approval]);
    });

    it('emits nothing when the store refuses the approval', async () => {
      const requested = jest.fn();
      events.on(APPROVAL_REQUESTED_EVENT, requested);
      service = new ApprovalsService(
        new InMemoryApprovalsRepository({ maxPerWorkspace: 1 }),
        events,
        new DecisionPolicy(),
      );
      await pending();
      await expect(pending()).rejects.toBeInstanceOf(ServiceUnavailableException);
      expect(requested).toHaveBeenCalledTimes(1);
    });

    it('still answers with the stored approval when an approval.requested listener throws', async () => {
      const logError = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      events.on(APPROVAL_REQUESTED_EVENT, () => {
        throw new Error('listener broke');
      });
      const approval = await pending();
      await expect(repository.findOne('ws1', approval.id)).resolves.toEqual(approval);
      expect(logError).toHaveBeenCalledWith(expect.stringContaining('listener broke'));
      logError.mockRestore();
    });
  });

  describe('list and get', () => {
    it('lists at most 50 when no limit is given', async () => {
      for (let index = 0; index < 51; index++) await pending();
      await expect(service.list('ws1')).resolves.toHaveLength(50);
      await expect(service.list('ws1', { limit: 3 })).resolves.toHaveLength(3);
    });

    it('answers 404 for an approval of another workspace', async () => {
      const { id } = await pending();
      await expect(service.get('ws1', id)).resolves.toMatchObject({ id });
      await expect(service.get('ws2', id)).rejects.toBeInstanceOf(NotFoundException);
    });
  });

  describe('decisions', () => {
    it('approves, stores it, and emits approval.resolved once after the write', async () => {
      const { id } = await pending();
      // The in-memory findOne reads when called, so this sees the store as it was at emit time.
      let storedWhenEmitted: Promise<Approval | undefined> | undefined;
      resolved.mockImplementation(() => (storedWhenEmitted = repository.findOne('ws1', id)));

      const approval = await service.approve(
        'ws1',
        id,
        { resolvedBy: 'alice', notes: 'fine' },
        ALICE,
      );

      expect(approval).toMatchObject({
        id,
        status: 'approved',
        resolvedBy: 'alice',
        resolution: { notes: 'fine' },
        resolvedAt: expect.stringMatching(ISO_DATE),
      });
      expect(resolved).toHaveBeenCalledTimes(1);
      expect(resolved).toHaveBeenCalledWith({
        approvalId: id,
        workspaceId: 'ws1',
        status: 'approved',
        resolution: { notes: 'fine' },
        resolvedBy: 'alice',
        resolvedAt: approval.resolvedAt,
      });
      await expect(storedWhenEmitted).resolves.toMatchObject({ status: 'approved' });
    });

    it('puts reason and notes of a rejection into resolution', async () => {
      const { id } = await pending();
      await service.reject('ws1', id, { reason: 'risky', notes: 'ask Carol' }, BOB);
      expect(resolved).toHaveBeenCalledWith(
        expect.objectContaining({
          status: 'rejected',
          resolvedBy: 'bob',
          resolution: { reason: 'risky', notes: 'ask Carol' },
        }),
      );
    });

    it('lets the requester cancel with nothing but a reason, recorded as who cancelled', async () => {
      const { id } = await pending();
      const approval = await service.cancel('ws1', id, { reason: 'not needed' }, AGENT);
      const cancelled = {
        status: 'cancelled',
        resolvedBy: 'agent-7',
        resolution: { reason: 'not needed' },
      };
      expect(approval).toMatchObject(cancelled);
      expect(resolved.mock.calls[0][0]).toMatchObject(cancelled);
    });

    it.each([
      ['approve', (id: string) => service.approve('ws1', id, {}, DANA)],
      ['reject', (id: string) => service.reject('ws1', id, {}, DANA)],
    ])('refuses the requester who would %s its own approval (four-eyes)', async (_verb, act) => {
      const admin = await service.create('ws1', { action: 'pay' }, CAROL);
      const own = await service.create('ws1', { action: 'pay' }, DANA);
      const refusal = await act(own.id).catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(ForbiddenException);
      expect((refusal as ForbiddenException).message).toBe(FOUR_EYES_MESSAGE);
      // An admin too: four-eyes holds for every role.
      await expect(service.approve('ws1', admin.id, {}, CAROL)).rejects.toThrow(FOUR_EYES_MESSAGE);
      expect(resolved).not.toHaveBeenCalled();
      await expect(service.get('ws1', own.id)).resolves.toMatchObject({ status: 'pending' });
    });

    it.each([
      ['approve', (id: string) => service.approve('ws1', id, { resolvedBy: 'the-cfo' }, ALICE)],
      ['reject', (id: string) => service.reject('ws1', id, { resolvedBy: 'the-cfo' }, ALICE)],
      ['cancel', (id: string) => service.cancel('ws1', id, { resolvedBy: 'the-cfo' }, AGENT)],
    ])('refuses to %s under another name than the principal (400)', async (_verb, act) => {
      const { id } = await pending();
      await expect(act(id)).rejects.toThrow(
        /resolvedBy must be left out or be your own principal id/,
      );
      expect(resolved).not.toHaveBeenCalled();
    });

    it('leaves resolution out when no details are given', async () => {
      const { id } = await pending();
      const approval = await service.approve('ws1', id, {}, ALICE);
      expect(approval).toMatchObject({ resolvedBy: 'alice' });
      expect(approval).not.toHaveProperty('resolution');
      expect(resolved.mock.calls[0][0]).not.toHaveProperty('resolution');
    });

    it('answers 409 with the current approval and emits nothing for a second decision', async () => {
      const { id } = await pending();
      const approved = await service.approve('ws1', id, { resolvedBy: 'alice' }, ALICE);
      resolved.mockClear();

      const conflict = await service
        .reject('ws1', id, { resolvedBy: 'bob' }, BOB)
        .catch((error: unknown) => error);

      expect(conflict).toBeInstanceOf(ConflictException);
      expect((conflict as ConflictException).getResponse()).toEqual(approved);
      expect(resolved).not.toHaveBeenCalled();
    });

    it('emits exactly once when decisions race', async () => {
      const { id } = await pending();
      const outcomes = await Promise.allSettled([
        service.approve('ws1', id, {}, ALICE),
        service.reject('ws1', id, {}, BOB),
        service.cancel('ws1', id, {}, AGENT),
        service.approve('ws1', id, {}, CAROL),
      ]);
      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
      expect(resolved).toHaveBeenCalledTimes(1);
    });

    it('answers 404 and emits nothing for an absent approval or another workspace', async () => {
      const { id } = await pending();
      await expect(service.approve('ws2', id, {}, ALICE)).rejects.toBeInstanceOf(NotFoundException);
      await expect(service.cancel('ws1', 'missing', {}, AGENT)).rejects.toBeInstanceOf(
        NotFoundException,
      );
      expect(resolved).not.toHaveBeenCalled();
      await expect(service.get('ws1', id)).resolves.toMatchObject({ status: 'pending' });
    });

    it('keeps a stored decision when a listener throws', async () => {
      const logError = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      events.on(APPROVAL_RESOLVED_EVENT, () => {
        throw new Error('listener broke');
      });
      const { id } = await pending();
      await expect(service.approve('ws1', id, {}, ALICE)).resolves.toMatchObject({
        status: 'approved',
      });
      expect(logError).toHaveBeenCalledWith(expect.stringContaining('listener broke'));
      logError.mockRestore();
    });
  });
});
