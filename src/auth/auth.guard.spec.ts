import {
  ForbiddenException,
  NotFoundException,
  ServiceUnavailableException,
  UnauthorizedException,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiKeyAuthenticator } from './api-key.authenticator';
import { REQUIRED_CAPABILITY } from './auth.constants';
import { AuthGuard } from './auth.guard';
import type { Capability } from './capabilities';
import { JwksUnavailableError } from './errors/jwks-unavailable.error';
import { JwtAuthenticator } from './jwt.authenticator';
import type { Principal } from './principal';
import { principalOf } from './principal.request';
import { RestAuthenticator } from './rest.authenticator';

// Wrapped, not replaced: the authenticator still really compares, and the test sees what.
jest.mock('node:crypto', () => {
  const actual = jest.requireActual<typeof import('node:crypto')>('node:crypto');
  return { ...actual, timingSafeEqual: jest.fn(actual.timingSafeEqual) };
});

const AGENT_KEY = 'a'.repeat(32);
const SCOPED_KEY = 's'.repeat(32);
const agent: Principal = { id: 'agent-7', kind: 'api_key', roles: ['agent'], workspaces: '*' };
const scoped: Principal = { id: 'tenant', kind: 'api_key', roles: ['admin'], workspaces: ['ws1'] };

const keys = new ApiKeyAuthenticator([
  { key: AGENT_KEY, principal: agent },
  { key: SCOPED_KEY, principal: scoped },
]);

function routeDeclaring(capability: Capability | null) {
  const handler = () => undefined;
  if (capability) Reflect.defineMetadata(REQUIRED_CAPABILITY, capability, handler);
  return handler;
}

interface Call {
  headers?: Record<string, unknown>;
  routePath?: string | null;
  params?: Record<string, string>;
  /** `null`: the route declares none. */
  capability?: Capability | null;
}

function httpContext({
  headers = {},
  routePath = '/api/workspaces/:workspaceId/approvals',
  params = { workspaceId: 'ws1' },
  capability = 'read',
}: Call) {
  const request = { headers, params, route: routePath === null ? undefined : { path: routePath } };
  const response = { headers: {} as Record<string, string>, setHeader: jest.fn() };
  response.setHeader.mockImplementation(
    (name: string, value: string) => (response.headers[name] = value),
  );
  const handler = routeDeclaring(capability);
  const context = {
    getType: () => 'http',
    getHandler: () => handler,
    getClass: () => class {},
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }),
  } as unknown as ExecutionContext;
  return { context, request, response };
}

const guard = (jwt = new JwtAuthenticator({})) =>
  new AuthGuard(new RestAuthenticator(keys, jwt), new Reflector());

async function outcome(call: Call, jwt?: JwtAuthenticator) {
  const { context, request, response } = httpContext(call);
  const result = await guard(jwt)
    .canActivate(context)
    .catch((error: unknown) => error);
  return { result, request, response };
}

describe('AuthGuard', () => {
  it('lets a principal with the capability through and leaves it on the request', async () => {
    const { result, request } = await outcome({ headers: { 'x-api-key': AGENT_KEY } });
    expect(result).toBe(true);
    expect(principalOf(request)).toEqual(agent);
  });

  it.each([
    ['no credential', {}],
    ['a wrong key', { 'x-api-key': 'b'.repeat(32) }],
    ['an empty key', { 'x-api-key': '' }],
    ['a prefix of the key', { 'x-api-key': AGENT_KEY.slice(1) }],
    ['a repeated header', { 'x-api-key': [AGENT_KEY, AGENT_KEY] }],
    ['the key in Authorization', { authorization: AGENT_KEY }],
    ['a bearer token when none are accepted', { authorization: 'Bearer abc.def.ghi' }],
    ['both credentials', { 'x-api-key': AGENT_KEY, authorization: 'Bearer x' }],
  ])('refuses %s with 401, before anything else', async (_case, headers) => {
    // An out-of-scope workspace and a missing role would be 404 and 403: 401 comes first.
    const { result, request } = await outcome({
      headers,
      params: { workspaceId: 'ws9' },
      capability: 'decide',
    });
    expect(result).toBeInstanceOf(UnauthorizedException);
    expect(principalOf(request)).toBeUndefined();
  });

  it('answers 404 for a workspace outside the principal’s, before the role check', async () => {
    const { result } = await outcome({
      headers: { 'x-api-key': SCOPED_KEY },
      params: { workspaceId: 'ws2', approvalId: 'a1' },
      capability: 'decide',
    });
    expect(result).toBeInstanceOf(NotFoundException);
    expect((result as NotFoundException).message).toBe('Approval a1 not found');
    const listing = await outcome({
      headers: { 'x-api-key': SCOPED_KEY },
      params: { workspaceId: 'ws2' },
    });
    expect((listing.result as NotFoundException).message).toBe('Workspace ws2 not found');
    const odd = await outcome({
      headers: { 'x-api-key': SCOPED_KEY },
      params: { workspaceId: 'w\ns' },
    });
    expect((odd.result as NotFoundException).message).toBe('Not Found');
  });

  it('answers 403 naming the roles needed when the principal has none of them', async () => {
    const { result } = await outcome({ headers: { 'x-api-key': AGENT_KEY }, capability: 'decide' });
    expect(result).toBeInstanceOf(ForbiddenException);
    expect((result as ForbiddenException).message).toBe(
      'This needs the role approver or admin; agent-7 has agent',
    );
  });

  it('refuses every principal on an /api route that declares no capability (fails closed)', async () => {
    const { result } = await outcome({
      headers: { 'x-api-key': AGENT_KEY },
      capability: null,
    });
    expect(result).toBeInstanceOf(ForbiddenException);
  });

  it.each(['/health', '/metrics', '/', '/inbox/{*asset}', '/apis', '/health/api'])(
    'does not guard %s (outside /api)',
    async (routePath) => {
      await expect(outcome({ routePath })).resolves.toMatchObject({ result: true });
    },
  );

  it.each(['/api', '/api/workspaces/:workspaceId/approvals'])('guards %s', async (routePath) => {
    const { result } = await outcome({ routePath });
    expect(result).toBeInstanceOf(UnauthorizedException);
  });

  it('fails closed when the matched route is unknown', async () => {
    const { result } = await outcome({ routePath: null });
    expect(result).toBeInstanceOf(UnauthorizedException);
  });

  it('leaves Socket.io to its own handshake check', async () => {
    const wsContext = { getType: () => 'ws' } as unknown as ExecutionContext;
    await expect(guard().canActivate(wsContext)).resolves.toBe(true);
  });

  it('challenges for a bearer token on 401 when it accepts them', async () => {
    const jwt = new JwtAuthenticator({ secret: 'x'.repeat(32) });
    const { response } = await outcome({ headers: {} }, jwt);
    expect(response.headers).toEqual({ 'WWW-Authenticate': 'Bearer realm="api"' });
  });

  it('answers 503 with Retry-After while the JWKS cannot be fetched', async () => {
    const jwt = new JwtAuthenticator({ secret: 'x'.repeat(32) });
    jest
      .spyOn(jwt, 'authenticate')
      .mockRejectedValue(new JwksUnavailableError('http://jwks', new Error('down')));
    const { result, response } = await outcome({ headers: { authorization: 'Bearer a.b.c' } }, jwt);
    expect(result).toBeInstanceOf(ServiceUnavailableException);
    expect(response.headers).toMatchObject({ 'Retry-After': '5' });
  });

  it('compares sha256 digests in constant time against every key, whatever the length sent', async () => {
    const compare = timingSafeEqual as jest.MockedFunction<typeof timingSafeEqual>;
    compare.mockClear();
    await outcome({ headers: { 'x-api-key': AGENT_KEY } });
    // The first key matched; the second was compared all the same.
    expect(compare).toHaveBeenCalledTimes(2);
    compare.mockClear();
    await outcome({ headers: { 'x-api-key': 'x' } });
    expect(compare).toHaveBeenCalledTimes(2);
    const [provided, expected] = compare.mock.calls[0] as [Buffer, Buffer];
    expect(provided).toEqual(createHash('sha256').update('x').digest());
    expect(expected).toEqual(createHash('sha256').update(AGENT_KEY).digest());
  });
});
