import { CAPABILITY_ROLES, describeRolesFor, hasCapability, type Capability } from './capabilities';
import type { Principal } from './principal';
import { ROLES, type Role } from './roles';

const principalWith = (...roles: Role[]): Principal => ({
  id: 'p',
  kind: 'api_key',
  roles,
  workspaces: '*',
});

describe('the capability table', () => {
  it('is the contract: agent creates, reads, cancels, issues tokens; approver reads, decides', () => {
    const byRole = Object.fromEntries(
      ROLES.map((role) => [
        role,
        (Object.keys(CAPABILITY_ROLES) as Capability[]).filter((capability) =>
          hasCapability(principalWith(role), capability),
        ),
      ]),
    );
    expect(byRole).toEqual({
      agent: ['create', 'read', 'cancel', 'issue_event_tokens'],
      // issue_event_tokens: the inbox's live link (a deliberate deviation, see capabilities.ts).
      approver: ['read', 'decide', 'issue_event_tokens'],
      admin: ['create', 'read', 'decide', 'cancel', 'issue_event_tokens'],
    });
  });

  it('grants what any one of several roles grants', () => {
    const both = principalWith('agent', 'approver');
    expect(hasCapability(both, 'create')).toBe(true);
    expect(hasCapability(both, 'decide')).toBe(true);
  });

  it('names the roles a capability needs, for messages and docs', () => {
    expect(describeRolesFor('decide')).toBe('approver or admin');
    expect(describeRolesFor('read')).toBe('agent, approver or admin');
  });
});
