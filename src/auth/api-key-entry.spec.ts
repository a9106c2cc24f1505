import { parseApiKeys } from './api-key-entry';

const KEY = 'k'.repeat(32);
const entry = (overrides: Record<string, unknown> = {}) => ({
  id: 'billing',
  key: KEY,
  roles: ['agent'],
  workspaces: ['ws1'],
  ...overrides,
});
const parse = (entries: unknown) => parseApiKeys(JSON.stringify(entries));

describe('parseApiKeys', () => {
  it('turns entries into api_key principals with their keys', () => {
    expect(parse([entry(), entry({ id: 'ops', key: 'o'.repeat(40), workspaces: ['*'] })])).toEqual([
      {
        key: KEY,
        principal: { id: 'billing', kind: 'api_key', roles: ['agent'], workspaces: ['ws1'] },
      },
      {
        key: 'o'.repeat(40),
        principal: { id: 'ops', kind: 'api_key', roles: ['agent'], workspaces: '*' },
      },
    ]);
  });

  it.each([
    ['not JSON', '[{', 'API_KEYS must be JSON'],
    ['an object', '{}', 'a JSON array of 1 to 100'],
    ['an empty array', '[]', 'a JSON array of 1 to 100'],
    ['101 entries', JSON.stringify(Array(101).fill(entry())), 'a JSON array of 1 to 100'],
    ['a string entry', '["x"]', 'API_KEYS[0] must be an object'],
  ])('refuses %s', (_case, json, problem) => {
    expect((parseApiKeys(json) as string[]).join('\n')).toContain(problem);
  });

  it.each([
    [
      'a short key',
      entry({ key: 'short-key' }),
      'API_KEYS[0] (id "billing"): key must be 32 to 512',
    ],
    ['a key with a space', entry({ key: `${'k'.repeat(31)} x` }), 'key must be 32 to 512'],
    ['a bad id', entry({ id: 'a b' }), 'API_KEYS[0]: id must be 1 to 128'],
    ['an unknown role', entry({ roles: ['root'] }), 'each role must be one of'],
    ['"*" as a string', entry({ workspaces: '*' }), 'workspaces must be an array'],
    ['an unknown field', entry({ secret: 'x' }), 'unknown field "secret"'],
  ])('refuses an entry with %s, naming it', (_case, bad, problem) => {
    expect((parse([bad]) as string[]).join('\n')).toContain(problem);
  });

  it('refuses a repeated key, or an id repeated with another scope, naming both entries', () => {
    const problems = parse([
      entry(),
      entry({ key: 'x'.repeat(32), roles: ['admin'] }),
      entry({ id: 'other' }),
    ]);
    expect(problems).toEqual([
      'API_KEYS[1] (id "billing"): id already used by API_KEYS[0] with other roles or workspaces (one id is one principal)',
      'API_KEYS[2] (id "other"): key already used by API_KEYS[0]',
    ]);
  });

  it('lets one principal hold two keys while callers move to the new one', () => {
    const rotated = parse([entry(), entry({ key: 'n'.repeat(32) })]) as { principal: unknown }[];
    expect(rotated.map(({ principal }) => principal)).toEqual([
      { id: 'billing', kind: 'api_key', roles: ['agent'], workspaces: ['ws1'] },
      { id: 'billing', kind: 'api_key', roles: ['agent'], workspaces: ['ws1'] },
    ]);
  });

  it('never echoes a key, even one pasted into the id field', () => {
    const secret = 'S3cr3t-key-that-must-not-leak-0123456789';
    const problems = parse([
      entry({ id: secret, key: 'short' }),
      entry({ id: 'ok', key: `${secret} ` }),
      { id: 'x', key: secret, roles: 'agent', workspaces: '*', [secret]: 1 },
    ]) as string[];
    expect(problems.length).toBeGreaterThan(2);
    expect(problems.join('\n')).not.toContain(secret.slice(0, 20));
  });
});
