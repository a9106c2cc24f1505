import {
  APPROVAL_REQUESTED_EVENT,
  APPROVAL_RESOLVED_EVENT,
  type Approval,
} from '@app/approval-events';
import {
  ConflictException,
  Logger,
  NotFoundException,
  ServiceUnavailableException,
} from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { ApprovalsService } from './approvals.service';
import { InMemoryApprovalsRepository } from './in-memory-approvals.repository';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

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
    service = new ApprovalsService(repository, events);
  });

  const pending = () => service.create('ws1', { action: 'send_email', requestedBy: 'agent-7' });

  describe('create', () => {
    it('opens a pending approval with a random UUID and an ISO creation time', async () => {
      const first = await service.create('ws1', { action: 'send_email', payload: { to: 'bob' } });
      const second = await pending();
      expect(first).toEqual({
        id: expect.stringMatching(UUID),
        workspaceId: 'ws1',
        action: 'send_email',
        payload: { to: 'bob' },
        status: 'pending',
        createdAt: expect.stringMatching(ISO_DATE),
      });
      expect(second.id).not.toBe(first.id);
      await expect(repository.findOne('ws1', first.id)).resolves.toEqual(first);
      expect(resolved).not.toHaveBeenCalled();
    });

    it('answers 503 when the store is full of pending approvals', async () => {
      service = new ApprovalsService(new InMemoryApprovalsRepository({ maxTotal: 1 }), events);
      await pending();
      await expect(pending()).rejects.toBeInstanceOf(ServiceUnavailableException);
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
      service = new ApprovalsService(new InMemoryApprovalsRepository({ maxTotal: 1 }), events);
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

      const approval = await service.approve('ws1', id, { resolvedBy: 'alice', notes: 'fine' });

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
      await service.reject('ws1', id, { resolvedBy: 'bob', reason: 'risky', notes: 'ask Carol' });
      expect(resolved).toHaveBeenCalledWith(
        expect.objectContaining({
          status: 'rejected',
          resolvedBy: 'bob',
          resolution: { reason: 'risky', notes: 'ask Carol' },
        }),
      );
    });

    it('cancels with nothing but a reason, leaving resolvedBy out', async () => {
      const { id } = await pending();
      const approval = await service.cancel('ws1', id, { reason: 'not needed' });
      expect(approval).toMatchObject({ status: 'cancelled', resolution: { reason: 'not needed' } });
      expect(approval).not.toHaveProperty('resolvedBy');
      const event = resolved.mock.calls[0][0];
      expect(event).toMatchObject({ status: 'cancelled', resolution: { reason: 'not needed' } });
      expect(event).not.toHaveProperty('resolvedBy');
    });

    it('leaves resolution out when no details are given', async () => {
      const { id } = await pending();
      const approval = await service.approve('ws1', id, { resolvedBy: 'alice' });
      expect(approval).not.toHaveProperty('resolution');
      expect(resolved.mock.calls[0][0]).not.toHaveProperty('resolution');
    });

    it('answers 409 with the current approval and emits nothing for a second decision', async () => {
      const { id } = await pending();
      const approved = await service.approve('ws1', id, { resolvedBy: 'alice' });
      resolved.mockClear();

      const conflict = await service
        .reject('ws1', id, { resolvedBy: 'bob' })
        .catch((error: unknown) => error);

      expect(conflict).toBeInstanceOf(ConflictException);
      expect((conflict as ConflictException).getResponse()).toEqual(approved);
      expect(resolved).not.toHaveBeenCalled();
    });

    it('emits exactly once when decisions race', async () => {
      const { id } = await pending();
      const outcomes = await Promise.allSettled([
        service.approve('ws1', id, { resolvedBy: 'alice' }),
        service.reject('ws1', id, { resolvedBy: 'bob' }),
        service.cancel('ws1', id, {}),
        service.approve('ws1', id, { resolvedBy: 'carol' }),
      ]);
      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
      expect(resolved).toHaveBeenCalledTimes(1);
    });

    it('answers 404 and emits nothing for an absent approval or another workspace', async () => {
      const { id } = await pending();
      await expect(service.approve('ws2', id, { resolvedBy: 'alice' })).rejects.toBeInstanceOf(
        NotFoundException,
      );
      await expect(service.cancel('ws1', 'missing')).rejects.toBeInstanceOf(NotFoundException);
      expect(resolved).not.toHaveBeenCalled();
      await expect(service.get('ws1', id)).resolves.toMatchObject({ status: 'pending' });
    });

    it('keeps a stored decision when a listener throws', async () => {
      const logError = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      events.on(APPROVAL_RESOLVED_EVENT, () => {
        throw new Error('listener broke');
      });
      const { id } = await pending();
      await expect(service.approve('ws1', id, { resolvedBy: 'alice' })).resolves.toMatchObject({
        status: 'approved',
      });
      expect(logError).toHaveBeenCalledWith(expect.stringContaining('listener broke'));
      logError.mockRestore();
    });
  });
});
