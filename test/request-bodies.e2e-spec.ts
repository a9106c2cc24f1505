import type { Approval } from '@app/approval-events';
import request from 'supertest';
import { type OutgoingHttpHeaders, request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import { ApprovalsRepository } from '../src/approvals/approvals.repository';
import { authAs, approvalsPath, createApproval, type RunningHost, startHost } from './support';
import { RecordingLogger } from './support/recording-logger';

const WS = 'ws-bodies';

/** POSTs exactly these bytes and headers (supertest adds a type, and re-encodes buffers). */
function postBytes(url: string, body: Buffer, headers: OutgoingHttpHeaders = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(url, { method: 'POST', headers, agent: false }, (answer) => {
      answer.resume();
      answer.on('end', () => resolve(answer.statusCode ?? 0));
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** Nest's usual 415 body. */
const unsupported = {
  statusCode: 415,
  error: 'Unsupported Media Type',
  message: expect.stringContaining('JSON'),
};

describe('request bodies are JSON only', () => {
  let host: RunningHost;

  beforeEach(async () => {
    host = await startHost();
  });

  const listed = async () =>
    (await request(host.url).get(approvalsPath(WS)).set(authAs('agent')).expect(200))
      .body as Approval[];

  it('answers 415 to a form body, before any parser drops its __proto__ keys', async () => {
    const response = await request(host.url)
      .post(approvalsPath(WS))
      .set(authAs('agent'))
      .set('content-type', 'application/x-www-form-urlencoded')
      .send('action=a&__proto__[x]=1&payload[__proto__][y]=2');
    expect({ status: response.status, body: response.body }).toEqual({
      status: 415,
      body: unsupported,
    });
    await expect(listed()).resolves.toEqual([]);
  });

  it.each([
    ['text/plain', '{"action":"send_email"}'],
    ['text/plain; charset=utf-8', 'action=send_email'],
    [
      'multipart/form-data; boundary=x',
      '--x\r\ncontent-disposition: form-data; name="action"\r\n\r\na\r\n--x--',
    ],
    ['application/xml', '<action>a</action>'],
    ['application/jsonp', '{"action":"send_email"}'],
  ])('answers 415 to %s and stores nothing', async (type, body) => {
    const response = await request(host.url)
      .post(approvalsPath(WS))
      .set(authAs('agent'))
      .set('content-type', type)
      .send(body);
    expect({ type, status: response.status, body: response.body }).toEqual({
      type,
      status: 415,
      body: unsupported,
    });
    await expect(listed()).resolves.toEqual([]);
  });

  it('answers 415 to a body that names no type, and on the decision routes too', async () => {
    const approval = await createApproval(host.url, WS);
    // supertest would add a content type to any body it sends.
    await expect(
      postBytes(
        `${host.url}${approvalsPath(WS, approval.id, 'cancel')}`,
        Buffer.from('{}'),
        authAs('agent'),
      ),
    ).resolves.toBe(415);
    const form = await request(host.url)
      .post(approvalsPath(WS, approval.id, 'approve'))
      .set(authAs('approver'))
      .type('form')
      .send({ resolvedBy: 'alice' });
    expect(form.status).toBe(415);
    await expect(listed()).resolves.toMatchObject([{ id: approval.id, status: 'pending' }]);
  });

  it('still takes JSON, +json types, and requests with no body', async () => {
    await request(host.url)
      .post(approvalsPath(WS))
      .set(authAs('agent'))
      .set('content-type', 'application/json; charset=utf-8')
      .send('{"action":"one"}')
      .expect(201);
    await request(host.url)
      .post(approvalsPath(WS))
      .set(authAs('agent'))
      .set('content-type', 'application/merge-patch+json')
      .send('{"action":"two"}')
      .expect(201);
    const approval = await createApproval(host.url, WS);
    // No body, but a JSON type (a bare POST cannot act: csrf.e2e-spec.ts).
    await request(host.url)
      .post(approvalsPath(WS, approval.id, 'cancel'))
      .set(authAs('agent'))
      .set('content-type', 'application/json')
      .expect(200);
    // A GET that names a type but carries nothing.
    await request(host.url)
      .get(approvalsPath(WS))
      .set(authAs('agent'))
      .set('content-type', 'text/plain')
      .expect(200);
    await expect(listed()).resolves.toHaveLength(3);
  });

  it('registers no urlencoded parser at all', () => {
    const router = (
      host.app.getHttpAdapter().getInstance() as {
        router: { stack: { handle: { name: string } }[] };
      }
    ).router;
    const names = router.stack.map((layer) => layer.handle.name);
    // JSON is read as bytes and parsed strictly (strictJsonBody), never by JSON.parse.
    expect(names).toEqual(expect.arrayContaining(['rawParser', 'strictJsonBody']));
    expect(names).not.toContain('jsonParser');
    expect(names).not.toContain('urlencodedParser');
  });
});

describe('logging of refused requests', () => {
  it('logs 100 bad requests at warn, one line each, no stack, at most 20 lines', async () => {
    const logger = new RecordingLogger();
    const host = await startHost({ logger, env: { LOG_LEVEL: 'verbose' } });
    const before = logger.entries.length;
    const notGzip = Buffer.from('this is not gzip at all');
    const sends: (() => Promise<request.Response>)[] = [
      // 413 from the body parser
      () =>
        request(host.url)
          .post(approvalsPath(WS))
          .set(authAs('agent'))
          .set('content-type', 'application/json')
          .send(`{"action":"${'p'.repeat(100 * 1024)}"}`),
      // 400 from the body parser: a body that claims gzip and is not
      () =>
        request(host.url)
          .post(approvalsPath(WS))
          .set(authAs('agent'))
          .set('content-type', 'application/json')
          .set('content-encoding', 'gzip')
          .send(notGzip),
      // 400 from validation, 400 from malformed JSON, 415 from the media type guard
      () => request(host.url).post(approvalsPath(WS)).set(authAs('agent')).send({ action: 7 }),
      () =>
        request(host.url)
          .post(approvalsPath(WS))
          .set(authAs('agent'))
          .set('content-type', 'application/json')
          .send('{"action":'),
      () =>
        request(host.url)
          .post(approvalsPath(WS))
          .set(authAs('agent'))
          .type('form')
          .send('action=a'),
    ];
    const statuses = new Set<number>();
    for (let index = 0; index < 100; index++) {
      const response = await sends[index % sends.length]();
      statuses.add(response.status);
      expect(response.status).toBeLessThan(500);
      expect(JSON.stringify(response.body)).not.toMatch(/\bat \S+ \(|node_modules/);
    }
    expect([...statuses].sort()).toEqual([400, 413, 415]);
    // A good gzip JSON body is parsed, so the 400 above was about the encoding.
    await expect(
      postBytes(`${host.url}${approvalsPath(WS)}`, gzipSync('{"action":"zipped"}'), {
        ...authAs('agent'),
        'content-type': 'application/json',
        'content-encoding': 'gzip',
      }),
    ).resolves.toBe(201);

    const logged = logger.entries.slice(before);
    expect(logged.filter((entry) => entry.level === 'error' || entry.level === 'fatal')).toEqual(
      [],
    );
    const warnings = logged.filter((entry) => entry.level === 'warn');
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.length).toBeLessThanOrEqual(20);
    for (const entry of warnings) {
      expect(entry.params).toEqual(['HttpErrors']); // the message and its context, no stack
      expect(entry.message).not.toMatch(/\n/);
      expect(entry.message).not.toMatch(/\bat \S+ \(|node_modules/);
      expect(entry.message.length).toBeLessThan(400);
    }
    expect(warnings.map((entry) => entry.message)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^413 POST \/api\/workspaces\/ws-bodies\/approvals: /),
        expect.stringMatching(/^400 POST \/api\/workspaces\/ws-bodies\/approvals: Bad Request$/),
        expect.stringMatching(/^415 POST /),
      ]),
    );
    // Logged bytes stay small, far from ~950 B per request of stack traces.
    const bytes = logger.lines().reduce((sum, line) => sum + Buffer.byteLength(line), 0);
    expect(bytes).toBeLessThan(20 * 400);
  });

  it('keeps the stack of a server fault at error level', async () => {
    const logger = new RecordingLogger();
    const host = await startHost({ logger });
    const repository = host.app.get(ApprovalsRepository);
    jest.spyOn(repository, 'list').mockRejectedValueOnce(new TypeError('a bug in the store'));
    const response = await request(host.url).get(approvalsPath(WS)).set(authAs('agent'));
    expect(response.status).toBe(500);
    const errors = logger.at('error');
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toContain('a bug in the store');
    expect(errors[0].message).toMatch(/\n\s+at /); // the stack
  });
});
