import type { Logger } from '@nestjs/common';
import {
  DEV_AGENT_ID,
  DEV_APPROVER_ID,
  LEGACY_API_KEY_ID,
  restCredentialsFrom,
  RestCredentialsError,
} from './rest-credentials.config';

const KEY = 'k'.repeat(32);
const APPROVER_KEYS = JSON.stringify([
  { id: 'alice', key: KEY, roles: ['approver'], workspaces: ['*'] },
]);
const LEGACY = 'legacy-key-0123456789';

function recordingLogger() {
  const warnings: string[] = [];
  return { logger: { warn: (line: string) => warnings.push(line) } as unknown as Logger, warnings };
}

const credentials = (environment: Parameters<typeof restCredentialsFrom>[0]) => {
  const { logger, warnings } = recordingLogger();
  return { result: restCredentialsFrom(environment, logger), warnings };
};

describe('restCredentialsFrom', () => {
  describe('NODE_ENV=production', () => {
    it('refuses to start with no REST credential, naming every way to set one', () => {
      const failure = (() => {
        try {
          restCredentialsFrom({ NODE_ENV: 'production' });
        } catch (error) {
          return error as Error;
        }
      })();
      expect(failure).toBeInstanceOf(RestCredentialsError);
      expect(failure?.name).toBe('RestCredentialsError');
      for (const name of ['API_KEYS', 'API_KEY', 'AUTH_JWT_SECRET', 'AUTH_JWKS_URL']) {
        expect(failure?.message).toContain(name);
      }
    });

    it.each([
      ['API_KEYS', { API_KEYS: APPROVER_KEYS }],
      ['API_KEY', { API_KEY: LEGACY }],
      ['AUTH_JWT_SECRET', { AUTH_JWT_SECRET: 's'.repeat(32) }],
      [
        'AUTH_JWKS_URL',
        {
          AUTH_JWKS_URL: 'https://issuer.example/jwks',
          AUTH_JWT_ISSUER: 'https://issuer.example/',
          AUTH_JWT_AUDIENCE: 'approvals',
        },
      ],
    ])('starts with %s alone', (_name, environment) => {
      expect(() => credentials({ NODE_ENV: 'production', ...environment })).not.toThrow();
    });

    it('refuses a JWKS over plain HTTP', () => {
      expect(() =>
        restCredentialsFrom({
          NODE_ENV: 'production',
          AUTH_JWKS_URL: 'http://issuer.example/jwks',
          AUTH_JWT_ISSUER: 'i',
          AUTH_JWT_AUDIENCE: 'a',
        }),
      ).toThrow('AUTH_JWKS_URL must be https when NODE_ENV=production');
    });
  });

  describe('development with nothing set', () => {
    it('generates an agent key and an approver key and logs them once, ready to export', () => {
      const { result, warnings } = credentials({ NODE_ENV: 'development' });
      expect(result.apiKeys.map(({ principal }) => principal)).toEqual([
        { id: DEV_AGENT_ID, kind: 'api_key', roles: ['agent'], workspaces: '*' },
        { id: DEV_APPROVER_ID, kind: 'api_key', roles: ['approver'], workspaces: '*' },
      ]);
      const [agentKey, approverKey] = result.apiKeys.map(({ key }) => key);
      expect(agentKey).not.toBe(approverKey);
      expect(agentKey.length).toBeGreaterThanOrEqual(32);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(`export AGENT_KEY=${agentKey} APPROVER_KEY=${approverKey}`);
      expect(result.jwt).toBeUndefined();
    });

    it('generates nothing once any credential is set', () => {
      const { result, warnings } = credentials({
        NODE_ENV: 'development',
        API_KEYS: APPROVER_KEYS,
      });
      expect(result.apiKeys.map(({ principal }) => principal.id)).toEqual(['alice']);
      expect(warnings).toEqual([]);
    });
  });

  it('keeps API_KEY as an agent on every workspace, and warns that nobody can decide', () => {
    const { result, warnings } = credentials({ NODE_ENV: 'production', API_KEY: LEGACY });
    expect(result.apiKeys).toEqual([
      {
        key: LEGACY,
        principal: { id: LEGACY_API_KEY_ID, kind: 'api_key', roles: ['agent'], workspaces: '*' },
      },
    ]);
    expect(warnings).toEqual([expect.stringContaining('No configured principal may approve')]);
  });

  it('adds API_KEY beside API_KEYS, refusing a clash of id or key', () => {
    const { result } = credentials({ API_KEYS: APPROVER_KEYS, API_KEY: LEGACY });
    expect(result.apiKeys.map(({ principal }) => principal.id)).toEqual(['alice', 'api-key']);
    expect(() => restCredentialsFrom({ API_KEYS: APPROVER_KEYS, API_KEY: KEY })).toThrow(
      'API_KEY must not be one of the keys in API_KEYS',
    );
    const clash = JSON.stringify([
      { id: 'api-key', key: KEY, roles: ['agent'], workspaces: ['*'] },
    ]);
    expect(() => restCredentialsFrom({ API_KEYS: clash, API_KEY: LEGACY })).toThrow(
      'API_KEYS must not use the id "api-key" while API_KEY is set',
    );
  });

  it('needs an issuer and an audience with a JWKS, and a key source for either', () => {
    expect(() => restCredentialsFrom({ AUTH_JWKS_URL: 'http://127.0.0.1/jwks' })).toThrow(
      /AUTH_JWKS_URL needs AUTH_JWT_ISSUER\n- AUTH_JWKS_URL needs AUTH_JWT_AUDIENCE/,
    );
    expect(() => restCredentialsFrom({ API_KEYS: APPROVER_KEYS, AUTH_JWT_ISSUER: 'i' })).toThrow(
      'AUTH_JWT_ISSUER is set but neither AUTH_JWT_SECRET nor AUTH_JWKS_URL is',
    );
  });

  it('names a bad API_KEYS entry without ever printing its key', () => {
    const bad = JSON.stringify([
      { id: 'ops', key: 'short-secret', roles: ['agent'], workspaces: ['*'] },
    ]);
    expect(() => restCredentialsFrom({ API_KEYS: bad })).toThrow(
      /API_KEYS\[0\] \(id "ops"\): key must be 32 to 512/,
    );
    try {
      restCredentialsFrom({ API_KEYS: bad });
    } catch (error) {
      expect((error as Error).message).not.toContain('short-secret');
    }
  });
});
