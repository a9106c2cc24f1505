import request from 'supertest';
import { eventually, startHost, SUBSCRIBER_TOKEN } from './support';

/** Every metric the contract names, each of which GET /metrics must expose. */
const CONTRACT_METRICS = [
  'approval_waits_pending',
  'approval_events_received_total',
  'approval_events_rejected_total',
  'approval_wait_fallback_total',
  'approval_wake_latency_seconds',
];

describe('Operations routes', () => {
  it('GET /health is a terminus report with the event bus up', async () => {
    const host = await startHost();

    const response = await request(host.url).get('/health').expect(200);

    expect(response.body).toMatchObject({
      status: 'ok',
      info: { event_bus: { status: 'up', mode: 'events', pendingWaits: 0 } },
      error: {},
    });
  });

  it('GET /metrics is Prometheus text with every contract metric', async () => {
    const host = await startHost();

    const response = await request(host.url).get('/metrics').expect(200);

    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    for (const name of CONTRACT_METRICS) {
      expect(response.text).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
    }
    expect(response.text).toMatch(/^approval_waits_pending 0$/m);
  });

  it('GET /docs serves the OpenAPI UI, and its document lists the approvals routes', async () => {
    const host = await startHost();

    const page = await request(host.url).get('/docs').expect(200);
    expect(page.headers['content-type']).toMatch(/html/);
    expect(page.text).toContain('swagger');

    const document = await request(host.url).get('/docs-json').expect(200);
    expect(Object.keys(document.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/workspaces/{workspaceId}/approvals',
        '/api/workspaces/{workspaceId}/approvals/{approvalId}/wait',
      ]),
    );
  });

  it('serves health and metrics unprefixed, and nothing outside /api otherwise', async () => {
    const host = await startHost();

    await request(host.url).get('/api/health').expect(404);
    await request(host.url).get('/workspaces/ws1/approvals').expect(404);
  });

  it('GET /health reports the event bus down (503, polling) while the remote bus it subscribes to is gone', async () => {
    const bus = await startHost();
    const replica = await startHost({
      env: {
        EVENT_BUS_URL: bus.url,
        APPROVAL_EVENTS_SUBSCRIBER_TOKEN: SUBSCRIBER_TOKEN,
        EVENT_BUS_WORKSPACES: 'ws1',
      },
    });
    await eventually('the replica to be subscribed', async () => {
      const response = await request(replica.url).get('/health');
      return response.status === 200;
    });

    await bus.close();

    const response = await eventually('the replica to report the bus down', async () => {
      const health = await request(replica.url).get('/health');
      return health.status === 503 ? health : undefined;
    });
    expect(response.body).toMatchObject({
      status: 'error',
      error: { event_bus: { status: 'down', mode: 'polling' } },
    });
  });
});
