import request from 'supertest';
import {
  approvalsPath,
  authAs,
  bearer,
  createApproval,
  PRINCIPALS,
  readApproval,
  type RunningHost,
  signTestJwt,
  startHost,
  TEST_JWT_SECRET,
} from './support';

const WS = 'ws-roles';
type Role = 'agent' | 'approver' | 'admin';

/** Every `/api` route, as the contract lists it, with what it answers when allowed. */
interface Route {
  method: 'get' | 'post';
  /** The path in the OpenAPI document's form, to check this table against the app's routes. */
  template: string;
  path: (approvalId: string) => string;
  body?: object;
  ok: number;
  /** Who may call it: the contract's table, written out here rather than read from the code. */
  allowed: readonly Role[];
}

const ALL: readonly Role[] = ['agent', 'approver', 'admin'];
const A = '/api/workspaces/{workspaceId}';

const ROUTES: Record<string, Route> = {
  create: {
    method: 'post',
    template: `${A}/approvals`,
    path: () => approvalsPath(WS),
    body: { action: 'send_email' },
    ok: 201,
    allowed: ['agent', 'admin'],
  },
  list: {
    method: 'get',
    template: `${A}/approvals`,
    path: () => approvalsPath(WS),
    ok: 200,
    allowed: ALL,
  },
  read: {
    method: 'get',
    template: `${A}/approvals/{approvalId}`,
    path: (id) => approvalsPath(WS, id),
    ok: 200,
    allowed: ALL,
  },
  wait: {
    method: 'get',
    template: `${A}/approvals/{approvalId}/wait`,
    path: (id) => `${approvalsPath(WS, id, 'wait')}?timeoutMs=0`,
    ok: 200,
    allowed: ALL,
  },
  approve: {
    method: 'post',
    template: `${A}/approvals/{approvalId}/approve`,
    path: (id) => approvalsPath(WS, id, 'approve'),
    body: {},
    ok: 200,
    allowed: ['approver', 'admin'],
  },
  reject: {
    method: 'post',
    template: `${A}/approvals/{approvalId}/reject`,
    path: (id) => approvalsPath(WS, id, 'reject'),
    body: { reason: 'no' },
    ok: 200,
    allowed: ['approver', 'admin'],
  },
  cancel: {
    method: 'post',
    template: `${A}/approvals/{approvalId}/cancel`,
    path: (id) => approvalsPath(WS, id, 'cancel'),
    body: {},
    ok: 200,
    allowed: ['agent', 'admin'],
  },
  'agent email': {
    method: 'post',
    template: `${A}/agents/email`,
    path: () => `/api/workspaces/${WS}/agents/email`,
    body: { to: 'bob@example.com', subject: 'Hi', timeoutMs: 0 },
    ok: 200,
    // It creates an approval as its caller.
    allowed: ['agent', 'admin'],
  },
  'agent outbox': {
    method: 'get',
    template: `${A}/agents/email`,
    path: () => `/api/workspaces/${WS}/agents/email`,
    ok: 200,
    allowed: ALL,
  },
  'event tokens': {
    method: 'post',
    template: `${A}/event-tokens`,
    path: () => `/api/workspaces/${WS}/event-tokens`,
    body: {},
    ok: 201,
    // Approvers too: their inbox is live through a subscriber token.
    allowed: ALL,
  },
};

const NEEDS: Record<string, string> = {
  'agent,admin': 'agent or admin',
  'approver,admin': 'approver or admin',
};

/** A caller, and what it is expected to get on each route. */
interface Caller {
  headers: () => Promise<Record<string, string>>;
  expect: (route: Route) => number;
}

const byRole = (role: Role, headers: () => Promise<Record<string, string>>): Caller => ({
  headers,
  expect: (route) => (route.allowed.includes(role) ? route.ok : 403),
});
const always = (status: number, headers: () => Promise<Record<string, string>>): Caller => ({
  headers,
  expect: () => status,
});
const jwt =
  (claims: Record<string, unknown>, options?: Parameters<typeof signTestJwt>[1]) => async () =>
    bearer(await signTestJwt(claims, options));

const CALLERS: Record<string, Caller> = {
  'agent (API key)': byRole('agent', async () => authAs('agent')),
  'approver (API key)': byRole('approver', async () => authAs('approver')),
  'admin (API key)': byRole('admin', async () => authAs('admin')),
  'agent (JWT)': byRole('agent', jwt({ sub: 'jwt-agent', roles: ['agent'], workspaces: [WS] })),
  'approver (JWT)': byRole(
    'approver',
    jwt({ sub: 'jwt-approver', roles: ['approver'], workspaces: ['*'] }),
  ),
  'admin of another workspace (API key)': always(404, async () => authAs('outsider')),
  'admin of another workspace (JWT)': always(
    404,
    jwt({ sub: 'jwt-outsider', roles: ['admin'], workspaces: ['ws-elsewhere', 'ws-too'] }),
  ),
  'no credential': always(401, async () => ({})),
  'a wrong API key': always(401, async () => ({ 'x-api-key': 'w'.repeat(40) })),
  'an expired JWT': always(
    401,
    jwt(
      { sub: 'late', roles: ['admin'], workspaces: ['*'] },
      { expiresIn: Math.floor(Date.now() / 1000) - 60 },
    ),
  ),
  'a forged JWT (another secret)': always(
    401,
    jwt(
      { sub: 'forger', roles: ['admin'], workspaces: ['*'] },
      { secret: `${TEST_JWT_SECRET}-forged` },
    ),
  ),
  'a JWT with "*" as a string': always(401, jwt({ sub: 'x', roles: ['admin'], workspaces: '*' })),
};

describe('every role on every route', () => {
  let host: RunningHost;

  beforeEach(async () => {
    host = await startHost({
      // The table opens one approval per case, all by the agent: past the default cap.
      env: { AUTH_JWT_SECRET: TEST_JWT_SECRET, MAX_OPEN_APPROVALS_PER_REQUESTER: '1000' },
    });
  });

  it('answers each caller on each route as the contract’s table says, and a refusal changes nothing', async () => {
    const expected: Record<string, number> = {};
    const actual: Record<string, number> = {};
    for (const [callerName, caller] of Object.entries(CALLERS)) {
      for (const [routeName, route] of Object.entries(ROUTES)) {
        const pending = await createApproval(host.url, WS, { action: 'probe' }, authAs('agent'));
        const headers = await caller.headers();
        const call = request(host.url)[route.method](route.path(pending.id)).set(headers);
        const response = await (route.body ? call.send(route.body) : call);
        const key = `${callerName} → ${routeName}`;
        expected[key] = caller.expect(route);
        actual[key] = response.status;
        if (response.status === 403) {
          expect({ key, message: response.body.message }).toEqual({
            key,
            message: expect.stringContaining(
              `This needs the role ${NEEDS[route.allowed.join(',')]}`,
            ),
          });
        }
        if (response.status >= 400) {
          await expect(readApproval(host.url, WS, pending.id)).resolves.toEqual(pending);
        }
      }
    }
    expect(actual).toEqual(expected);
  });

  it('covers every /api route the app serves', async () => {
    const document = (await request(host.url).get('/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const served = Object.entries(document.paths)
      .filter(([path]) => path.startsWith('/api/'))
      .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method} ${path}`))
      .sort();
    const tabled = Object.values(ROUTES)
      .map((route) => `${route.method} ${route.template}`)
      .sort();
    expect(served).toEqual(tabled);
  });

  it('answers an outsider with the very body an absent approval gets, so nothing can be probed', async () => {
    const approval = await createApproval(host.url, WS);
    const outsider = await request(host.url)
      .get(approvalsPath(WS, approval.id))
      .set(authAs('outsider'))
      .expect(404);
    const absent = await request(host.url)
      .get(approvalsPath('ws-nothing-here', approval.id))
      .set(authAs('admin'))
      .expect(404);
    expect(outsider.body).toEqual(absent.body);
    // The same whether the approval exists or not.
    const missing = await request(host.url)
      .get(approvalsPath(WS, 'no-such-approval'))
      .set(authAs('outsider'))
      .expect(404);
    expect(missing.body).toEqual({
      ...absent.body,
      message: 'Approval no-such-approval not found',
    });
  });

  it('documents both credentials and the 401, 403 and 404 of every /api route in /docs', async () => {
    const document = (await request(host.url).get('/docs-json').expect(200)).body as {
      components: { securitySchemes: Record<string, unknown> };
      paths: Record<
        string,
        Record<string, { security: unknown; responses: Record<string, unknown> }>
      >;
    };
    expect(document.components.securitySchemes).toEqual({
      'api-key': { type: 'apiKey', in: 'header', name: 'x-api-key' },
      bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
    });
    for (const [path, operations] of Object.entries(document.paths)) {
      if (!path.startsWith('/api/')) continue;
      for (const [method, operation] of Object.entries(operations)) {
        const name = `${method} ${path}`;
        expect({ name, security: operation.security }).toEqual({
          name,
          security: expect.arrayContaining([{ bearer: [] }, { 'api-key': [] }]),
        });
        expect({ name, statuses: Object.keys(operation.responses) }).toEqual({
          name,
          statuses: expect.arrayContaining(['401', '403', '404']),
        });
      }
    }
  });
});

describe('who decides', () => {
  let host: RunningHost;
  /** Asks and decides: the principal four-eyes is about. */
  const both = () =>
    signTestJwt({ sub: 'dana', roles: ['agent', 'approver'], workspaces: ['*'] }).then(bearer);

  beforeEach(async () => {
    host = await startHost({ env: { AUTH_JWT_SECRET: TEST_JWT_SECRET } });
  });

  it('the issue’s case: an agent key can no longer approve its own wire, under any name', async () => {
    const wire = await createApproval(host.url, WS, {
      action: 'wire_money',
      requestedBy: 'agent-7',
    });
    const selfApproval = await request(host.url)
      .post(approvalsPath(WS, wire.id, 'approve'))
      .set(authAs('agent'))
      .send({ resolvedBy: 'the-cfo' })
      .expect(403);
    expect(selfApproval.body.message).toContain('approver or admin');
    const impersonation = await request(host.url)
      .post(approvalsPath(WS, wire.id, 'approve'))
      .set(authAs('approver'))
      .send({ resolvedBy: 'the-cfo' })
      .expect(400);
    expect(impersonation.body.message).toBe(
      `resolvedBy must be left out or be your own principal id (${PRINCIPALS.approver.id}): the host records who acts`,
    );
    await expect(readApproval(host.url, WS, wire.id)).resolves.toMatchObject({ status: 'pending' });
    const approved = await request(host.url)
      .post(approvalsPath(WS, wire.id, 'approve'))
      .set(authAs('approver'))
      .send({})
      .expect(200);
    expect(approved.body).toMatchObject({
      status: 'approved',
      requestedBy: 'agent-7',
      resolvedBy: 'alice',
    });
  });

  it.each(['approve', 'reject'] as const)(
    'four-eyes: the requester cannot %s its own approval, even holding the role; it may cancel it',
    async (action) => {
      const own = await createApproval(host.url, WS, { action: 'deploy' }, await both());
      expect(own.requestedBy).toBe('dana');
      const refused = await request(host.url)
        .post(approvalsPath(WS, own.id, action))
        .set(await both())
        .send({})
        .expect(403);
      expect(refused.body).toEqual({
        statusCode: 403,
        error: 'Forbidden',
        message: 'the requester cannot decide its own approval',
      });
      await expect(readApproval(host.url, WS, own.id)).resolves.toMatchObject({
        status: 'pending',
      });
      const cancelled = await request(host.url)
        .post(approvalsPath(WS, own.id, 'cancel'))
        .set(await both())
        .send({ reason: 'changed my mind' })
        .expect(200);
      expect(cancelled.body).toMatchObject({ status: 'cancelled', resolvedBy: 'dana' });
    },
  );

  it('four-eyes holds for an admin too, and another principal may decide', async () => {
    const admins = await createApproval(host.url, WS, { action: 'deploy' }, authAs('admin'));
    await request(host.url)
      .post(approvalsPath(WS, admins.id, 'approve'))
      .set(authAs('admin'))
      .send({})
      .expect(403);
    const approved = await request(host.url)
      .post(approvalsPath(WS, admins.id, 'approve'))
      .set(await both())
      .send({ resolvedBy: 'dana' })
      .expect(200);
    expect(approved.body).toMatchObject({ requestedBy: 'carol', resolvedBy: 'dana' });
  });

  it('keeps a body requestedBy that is not the caller as requestedFor, a label', async () => {
    const labelled = await createApproval(host.url, WS, {
      action: 'pay',
      requestedBy: 'billing-bot',
    });
    expect(labelled).toMatchObject({ requestedBy: 'agent-7', requestedFor: 'billing-bot' });
    const explicit = await createApproval(host.url, WS, { action: 'pay', requestedFor: 'Dana' });
    expect(explicit).toMatchObject({ requestedBy: 'agent-7', requestedFor: 'Dana' });
    await request(host.url)
      .post(approvalsPath(WS))
      .set(authAs('agent'))
      .send({ action: 'pay', requestedBy: 'billing-bot', requestedFor: 'Dana' })
      .expect(400);
  });
});
