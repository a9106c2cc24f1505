import { APPROVAL_REMINDER_EVENT, APPROVAL_RESOLVED_EVENT } from '@app/approval-events';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { Subject } from 'rxjs';
import type {
  ApprovalRecord,
  ApprovalsRepository,
  LifecycleTransition,
} from '../approvals.repository';
import { ApprovalLifecycleAnnouncer } from './lifecycle.announcer';

const expired: ApprovalRecord = {
  id: 'a1',
  workspaceId: 'ws1',
  action: 'deploy',
  status: 'expired',
  createdAt: '2026-12-01T10:00:00.000Z',
  expiresAt: '2026-12-01T10:01:00.000Z',
  onExpiry: 'expire',
  resolvedBy: 'system:expiry',
  resolution: { cause: 'expired', expiresAt: '2026-12-01T10:01:00.000Z', onExpiry: 'expire' },
  resolvedAt: '2026-12-01T10:01:00.250Z',
};

describe('ApprovalLifecycleAnnouncer', () => {
  const setUp = (announcesDecisions: boolean) => {
    const transitions = new Subject<LifecycleTransition>();
    const events = new EventEmitter2();
    const heard: [string, unknown][] = [];
    events.onAny((event, payload) => heard.push([event as string, payload]));
    const announcer = new ApprovalLifecycleAnnouncer(
      { lifecycle$: transitions, announcesDecisions } as unknown as ApprovalsRepository,
      events,
    );
    announcer.onModuleInit();
    return { transitions, heard, announcer };
  };

  it('announces an expiry as approval.resolved and a reminder as approval.reminder (in memory)', () => {
    const { transitions, heard, announcer } = setUp(false);
    transitions.next({ kind: 'expired', approval: expired });
    const reminded = { ...expired, status: 'pending' as const, remindedAt: expired.resolvedAt };
    transitions.next({ kind: 'reminded', approval: reminded });
    expect(heard).toEqual([
      [
        APPROVAL_RESOLVED_EVENT,
        {
          approvalId: 'a1',
          workspaceId: 'ws1',
          status: 'expired',
          resolvedBy: 'system:expiry',
          resolution: expired.resolution,
          resolvedAt: expired.resolvedAt,
        },
      ],
      [APPROVAL_REMINDER_EVENT, reminded],
    ]);
    announcer.onApplicationShutdown();
    transitions.next({ kind: 'expired', approval: expired });
    expect(heard).toHaveLength(2);
  });

  it('leaves an expiry to a store that announces its own decisions, but still sends reminders', () => {
    const { transitions, heard } = setUp(true);
    transitions.next({ kind: 'expired', approval: expired });
    transitions.next({ kind: 'reminded', approval: { ...expired, status: 'pending' } });
    expect(heard.map(([event]) => event)).toEqual([APPROVAL_REMINDER_EVENT]);
  });
});
