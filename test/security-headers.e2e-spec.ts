import request from 'supertest';
import { INBOX_CONTENT_SECURITY_POLICY } from '../src/inbox/inbox.constants';
import { approvalsPath, authAs, type RunningHost, startHost } from './support';

/** helmet's headers, the same on every answer whatever its route. */
const EVERYWHERE = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'strict-transport-security': expect.stringMatching(/^max-age=\d+/),
};
const NOTHING_RUNS = "default-src 'none';base-uri 'none';form-action 'none';frame-ancestors 'none'";

describe('security headers on every route', () => {
  let host: RunningHost;

  beforeEach(async () => {
    host = await startHost();
  });

  it.each([
    ['the API', approvalsPath('ws-headers'), 200],
    ['a 404 under the API', '/api/nothing-here', 404],
    ['/health', '/health', 200],
    ['/metrics', '/metrics', 200],
    ['the OpenAPI document', '/docs-json', 200],
  ])(
    '%s: helmet’s headers and a policy that lets nothing run or frame it',
    async (_what, path, status) => {
      const response = await request(host.url).get(path).set(authAs('agent')).expect(status);
      expect(response.headers).toMatchObject({
        ...EVERYWHERE,
        'content-security-policy': NOTHING_RUNS,
      });
      expect(response.headers['x-powered-by']).toBeUndefined();
    },
  );

  it('a refused body (415) carries them too', async () => {
    const response = await request(host.url)
      .post(approvalsPath('ws-headers'))
      .set('content-type', 'text/plain')
      .send('x')
      .expect(415);
    expect(response.headers).toMatchObject(EVERYWHERE);
  });

  it('the inbox keeps its own strict policy', async () => {
    const response = await request(host.url).get('/').expect(200);
    expect(response.headers).toMatchObject({
      ...EVERYWHERE,
      'content-security-policy': INBOX_CONTENT_SECURITY_POLICY,
    });
  });

  it('/docs can run swagger-ui but never be framed', async () => {
    const response = await request(host.url).get('/docs').expect(200);
    expect(response.headers).toMatchObject(EVERYWHERE);
    const policy = String(response.headers['content-security-policy']);
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toMatch(/script-src[^;]*unsafe/);
  });

  it('/docs serves the files swagger-ui loads, and nothing else of swagger-ui-dist', async () => {
    const page = await request(host.url).get('/docs').expect(200);
    const loaded = [
      ...page.text.matchAll(/(?:src|href)=["']\.?\/?(?:docs\/)?([\w.-]+\.(?:js|css|png))["']/g),
    ].map(([, file]) => file);
    expect(loaded.length).toBeGreaterThanOrEqual(4);
    for (const file of loaded) await request(host.url).get(`/docs/${file}`).expect(200);
    for (const file of [
      'package.json',
      'README.md',
      'LICENSE',
      'swagger-ui-bundle.js.map',
      'swagger-ui.css.map',
      'swagger-ui-es-bundle.js',
      'oauth2-redirect.html',
      'index.html',
      'absolute-path.js',
    ]) {
      const response = await request(host.url).get(`/docs/${file}`);
      expect({ file, status: response.status }).toEqual({ file, status: 404 });
    }
  });
});
