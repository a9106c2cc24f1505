import request from 'supertest';
import { readFileSync } from 'node:fs';
import { API_KEY, PRINCIPALS, startHost } from './support';

const JWT_SECRET = 'e2e-jwt-secret-0123456789abcdef0123456789';

describe('the approver inbox (GET /)', () => {
  it('serves the page outside /api, with no API key, under a strict Content-Security-Policy', async () => {
    const host = await startHost({ env: { API_KEY, APPROVAL_EVENTS_JWT_SECRET: JWT_SECRET } });
    const page = await request(host.url).get('/').expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.text).toContain('<script type="module" src="/inbox/inbox.js">');
    // Nothing secret reaches the page source: it asks the person for the key instead.
    const keys = Object.values(PRINCIPALS).map((principal) => principal.key);
    for (const secret of [
      API_KEY,
      ...keys,
      JWT_SECRET,
      'e2e-producer-token',
      'e2e-subscriber-token',
    ]) {
      expect(page.text).not.toContain(secret);
    }
    // The API behind it still wants the key.
    await request(host.url).get('/api/workspaces/ws1/approvals').expect(401);
  });

  it.each([
    ['/inbox/inbox.js', /^text\/javascript/],
    ['/inbox/inbox.css', /^text\/css/],
    ['/inbox/favicon.svg', /^image\/svg\+xml/],
    ['/inbox/socket.io.esm.min.js', /^text\/javascript/],
  ])('serves %s with its type and revalidation', async (path, type) => {
    const host = await startHost();
    const response = await request(host.url).get(path).expect(200);
    expect(response.headers['content-type']).toMatch(type);
    expect(response.headers['cache-control']).toBe('no-cache');
    await request(host.url).get(path).set('if-none-match', response.headers.etag).expect(304);
  });

  it('serves the official Socket.io client of the installed version', async () => {
    const host = await startHost();
    const response = await request(host.url).get('/inbox/socket.io.esm.min.js').expect(200);
    const { version } = JSON.parse(
      readFileSync(require.resolve('socket.io-client/package.json'), 'utf8'),
    ) as { version: string };
    expect(response.text).toContain(`Socket.IO v${version}`);
  });

  it.each([
    '/inbox/',
    '/inbox/index.html',
    '/inbox/../package.json',
    '/inbox/%2e%2e/package.json',
    '/src/main.ts',
    '/inbox/public/inbox.js',
  ])('serves nothing else from disk: %s is 404', async (path) => {
    const host = await startHost();
    await request(host.url).get(path).expect(404);
  });
});
