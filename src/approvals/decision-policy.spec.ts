import type { Approval } from '@app/approval-events';
import { ForbiddenException } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { DecisionPolicy, FOUR_EYES_MESSAGE } from './decision-policy';

const approval = (requestedBy?: string): Approval => ({
  id: 'a1',
  workspaceId: 'ws1',
  action: 'wire_money',
  status: 'pending',
  createdAt: '2026-11-24T10:00:00.000Z',
  ...(requestedBy === undefined ? {} : { requestedBy }),
});
const who = (id: string, ...roles: Principal['roles'][number][]): Principal => ({
  id,
  kind: 'jwt',
  roles,
  workspaces: '*',
});

describe('DecisionPolicy', () => {
  const policy = new DecisionPolicy();

  it.each([
    ['an approver, on another’s approval', who('alice', 'approver'), approval('agent-7'), true],
    ['an admin, on another’s approval', who('carol', 'admin'), approval('agent-7'), true],
    ['an approver, on one with no recorded requester', who('alice', 'approver'), approval(), true],
    [
      'the requester, approver though it is',
      who('dana', 'agent', 'approver'),
      approval('dana'),
      false,
    ],
    ['the requester, admin though it is', who('carol', 'admin'), approval('carol'), false],
    ['an agent', who('agent-8', 'agent'), approval('agent-7'), false],
  ])('%s: may decide = %p', (_case, principal, target, allowed) => {
    expect(policy.check(principal, target).allowed).toBe(allowed);
  });

  it('says why, and throws 403 with it', () => {
    const dana = who('dana', 'agent', 'approver');
    expect(policy.check(dana, approval('dana'))).toEqual({
      allowed: false,
      reason: FOUR_EYES_MESSAGE,
    });
    expect(() => policy.assertMayDecide(dana, approval('dana'))).toThrow(ForbiddenException);
    expect(() => policy.assertMayDecide(who('x', 'agent'), approval())).toThrow(
      'This needs the role approver or admin; x has agent',
    );
  });
});
