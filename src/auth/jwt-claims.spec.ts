import { principalFromClaims } from './jwt-claims';
import { MAX_PRINCIPAL_WORKSPACES } from './principal.rules';

const valid = { sub: 'alice@example.com', roles: ['approver'], workspaces: ['ws1', 'ws2'] };

describe('principalFromClaims', () => {
  it('turns valid claims into a jwt principal, copying only the three claims', () => {
    expect(principalFromClaims({ ...valid, exp: 1, other: 'x' })).toEqual({
      id: 'alice@example.com',
      kind: 'jwt',
      roles: ['approver'],
      workspaces: ['ws1', 'ws2'],
    });
  });

  it('reads exactly ["*"] as every workspace', () => {
    expect(principalFromClaims({ ...valid, workspaces: ['*'] })).toMatchObject({
      workspaces: '*',
    });
  });

  it.each([
    ['no sub', { ...valid, sub: undefined }, 'sub must be a string'],
    ['a numeric sub', { ...valid, sub: 42 }, 'sub must be a string'],
    ['an empty sub', { ...valid, sub: '' }, 'sub must be 1 to 128'],
    ['an oversize sub', { ...valid, sub: 'a'.repeat(129) }, 'sub must be 1 to 128'],
    ['a sub with a space', { ...valid, sub: 'ali ce' }, 'sub must be 1 to 128'],
    ['a look-alike sub (Cyrillic а)', { ...valid, sub: '\u0430lice' }, 'sub must be 1 to 128'],
    ['a role: sub', { ...valid, sub: 'role:approver' }, 'sub must not start with'],
    ['a system: sub', { ...valid, sub: 'system:expiry' }, 'sub must not start with'],
    ['no roles', { ...valid, roles: undefined }, 'roles must be an array'],
    ['roles as a string', { ...valid, roles: 'approver' }, 'roles must be an array'],
    ['empty roles', { ...valid, roles: [] }, 'roles must name at least one role'],
    ['an unknown role', { ...valid, roles: ['root'] }, 'each role must be one of'],
    ['a role in another case', { ...valid, roles: ['Admin'] }, 'each role must be one of'],
    ['a repeated role', { ...valid, roles: ['agent', 'agent'] }, 'roles must not repeat'],
    ['a huge roles array', { ...valid, roles: Array(10_000).fill('agent') }, 'at most 3 roles'],
    ['no workspaces', { ...valid, workspaces: undefined }, 'workspaces must be an array'],
    ['"*" as a string', { ...valid, workspaces: '*' }, 'workspaces must be an array'],
    ['empty workspaces', { ...valid, workspaces: [] }, 'at least one workspace'],
    ['"*" beside an id', { ...valid, workspaces: ['*', 'ws1'] }, 'exactly ["*"]'],
    ['an id beside "*"', { ...valid, workspaces: ['ws1', '*'] }, 'exactly ["*"]'],
    ['"*" twice', { ...valid, workspaces: ['*', '*'] }, 'must not repeat'],
    ['a glob', { ...valid, workspaces: ['ws*'] }, 'each workspace must be'],
    ['a non-string workspace', { ...valid, workspaces: [1] }, 'each workspace must be'],
    ['a look-alike workspace', { ...valid, workspaces: ['ws\uFF11'] }, 'each workspace must be'],
    [
      'too many workspaces',
      {
        ...valid,
        workspaces: Array.from({ length: MAX_PRINCIPAL_WORKSPACES + 1 }, (_, i) => `w${i}`),
      },
      `at most ${MAX_PRINCIPAL_WORKSPACES} workspaces`,
    ],
  ])('refuses %s, saying why', (_case, claims, problem) => {
    const result = principalFromClaims(claims);
    expect(Array.isArray(result)).toBe(true);
    expect((result as string[]).join('; ')).toContain(problem);
  });
});
