import { UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiKeyGuard } from './api-key.guard';

// Wrapped, not replaced: the guard still really compares, and the test sees what it compared.
jest.mock('node:crypto', () => {
  const actual = jest.requireActual<typeof import('node:crypto')>('node:crypto');
  return { ...actual, timingSafeEqual: jest.fn(actual.timingSafeEqual) };
});

const KEY = 's3cret-key';

function httpContext(
  headers: Record<string, unknown>,
  routePath: string | undefined = '/api/things',
) {
  const request = { headers, route: routePath === undefined ? undefined : { path: routePath } };
  return {
    getType: () => 'http',
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
}

const guardWith = (apiKey: string | undefined) =>
  new ApiKeyGuard(new ConfigService({ API_KEY: apiKey }));

describe('ApiKeyGuard', () => {
  describe('without API_KEY', () => {
    it.each([undefined, ''])('lets every request through when API_KEY is %p', (apiKey) => {
      expect(guardWith(apiKey).canActivate(httpContext({}))).toBe(true);
    });
  });

  describe('with API_KEY', () => {
    const guard = guardWith(KEY);

    it('lets a request with the right key through', () => {
      expect(guard.canActivate(httpContext({ 'x-api-key': KEY }))).toBe(true);
    });

    it.each([
      ['no header', {}],
      ['an empty key', { 'x-api-key': '' }],
      ['a wrong key of the same length', { 'x-api-key': 's3cret-kex' }],
      ['a prefix of the key', { 'x-api-key': 's3cret' }],
      ['the key with a suffix', { 'x-api-key': `${KEY}x` }],
      ['the key in another case', { 'x-api-key': KEY.toUpperCase() }],
      ['a repeated header', { 'x-api-key': [KEY, KEY] }],
      ['the key in another header', { authorization: KEY }],
    ])('refuses %s with 401', (_case, headers) => {
      expect(() => guard.canActivate(httpContext(headers))).toThrow(UnauthorizedException);
      expect(() => guard.canActivate(httpContext(headers))).toThrow(
        'Missing or invalid x-api-key header',
      );
    });

    it.each(['/health', '/metrics', '/apis', '/health/api'])(
      'does not guard %s (outside /api)',
      (path) => {
        expect(guard.canActivate(httpContext({}, path))).toBe(true);
      },
    );

    it.each(['/api', '/api/workspaces/:workspaceId/approvals'])('guards %s', (path) => {
      expect(() => guard.canActivate(httpContext({}, path))).toThrow(UnauthorizedException);
    });

    it('fails closed when the matched route is unknown', () => {
      expect(() => guard.canActivate(httpContext({}, undefined))).toThrow(UnauthorizedException);
    });

    it('leaves Socket.io to its own handshake check', () => {
      const wsContext = { getType: () => 'ws' } as unknown as ExecutionContext;
      expect(guard.canActivate(wsContext)).toBe(true);
    });

    it('compares sha256 digests in constant time, whatever the length sent', () => {
      const compare = timingSafeEqual as jest.MockedFunction<typeof timingSafeEqual>;
      compare.mockClear();
      expect(() => guard.canActivate(httpContext({ 'x-api-key': 'x' }))).toThrow(
        UnauthorizedException,
      );
      expect(compare).toHaveBeenCalledTimes(1);
      const [provided, expected] = compare.mock.calls[0] as [Buffer, Buffer];
      expect(provided).toEqual(createHash('sha256').update('x').digest());
      expect(expected).toEqual(createHash('sha256').update(KEY).digest());
    });
  });
});
