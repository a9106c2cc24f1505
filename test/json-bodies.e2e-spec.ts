import type { Approval } from '@app/approval-events';
import { type OutgoingHttpHeaders, request as httpRequest } from 'node:http';
import request from 'supertest';
import { approvalsPath, authAs, createApproval, type RunningHost, startHost } from './support';

const WS = 'ws-json';

/** POSTs exactly these bytes (supertest would re-encode a string body as UTF-8). */
function postBytes(
  url: string,
  body: Buffer,
  headers: OutgoingHttpHeaders = { 'content-type': 'application/json', ...authAs('agent') },
): Promise<{ status: number; body: { message?: unknown } }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(url, { method: 'POST', headers, agent: false }, (answer) => {
      let text = '';
      answer.setEncoding('utf8');
      answer.on('data', (chunk: string) => (text += chunk));
      answer.on('end', () =>
        resolve({
          status: answer.statusCode ?? 0,
          body: JSON.parse(text) as { message?: unknown },
        }),
      );
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

describe('JSON bodies are read as sent, or refused', () => {
  let host: RunningHost;

  beforeEach(async () => {
    host = await startHost();
  });

  const post = (path: string, text: string) =>
    request(host.url)
      .post(path)
      .set(authAs('agent'))
      .set('content-type', 'application/json')
      .send(text);
  const listed = async () =>
    (await request(host.url).get(approvalsPath(WS)).set(authAs('agent')).expect(200))
      .body as Approval[];

  it.each([
    ['a duplicate key', '{"action":"a","action":"b"}', "Duplicate key 'action'"],
    [
      'a duplicate key in payload',
      '{"action":"a","payload":{"to":"x","to":"y"}}',
      "Duplicate key 'to'",
    ],
    ['a number beyond a double', '{"action":"a","payload":{"n":1e400}}', 'the number 1e400'],
    [
      'an integer beyond 2^53',
      '{"action":"a","payload":{"id":9007199254740993}}',
      'an integer beyond',
    ],
    ['a number a double rounds to 0', '{"action":"a","payload":{"n":1e-400}}', 'too small'],
  ])('answers 400 to %s and stores nothing', async (_case, text, words) => {
    const response = await post(approvalsPath(WS), text);
    expect({ status: response.status, body: response.body }).toEqual({
      status: 400,
      body: { statusCode: 400, error: 'Bad Request', message: expect.stringContaining(words) },
    });
    await expect(listed()).resolves.toEqual([]);
  });

  it('refuses a duplicate key on the decision routes too, and decides nothing', async () => {
    const approval = await createApproval(host.url, WS);
    const response = await post(
      approvalsPath(WS, approval.id, 'approve'),
      '{"resolvedBy":"alice","resolvedBy":"mallory"}',
    );
    expect(response.status).toBe(400);
    await expect(listed()).resolves.toMatchObject([{ id: approval.id, status: 'pending' }]);
  });

  it('answers 400 to bytes that are not UTF-8, rather than storing U+FFFD', async () => {
    const invalid = Buffer.concat([
      Buffer.from('{"action":"a'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}'),
    ]);
    await expect(postBytes(`${host.url}${approvalsPath(WS)}`, invalid)).resolves.toEqual({
      status: 400,
      body: expect.objectContaining({ message: 'Request body is not valid UTF-8' }),
    });
    await expect(listed()).resolves.toEqual([]);
  });

  it('answers 415 to a charset other than UTF-8', async () => {
    const latin1 = Buffer.from('{"action":"caf\u00e9"}', 'latin1');
    const answer = await postBytes(`${host.url}${approvalsPath(WS)}`, latin1, {
      'content-type': 'application/json; charset=iso-8859-1',
    });
    expect(answer.status).toBe(415);
  });

  it('answers 400 naming the field to a lone surrogate escaped in the JSON', async () => {
    const response = await post(approvalsPath(WS), '{"action":"x","payload":{"a":"\\ud800"}}');
    expect(response.status).toBe(400);
    expect(response.body.message).toEqual([
      'payload.a must not contain a lone UTF-16 surrogate (U+D800)',
    ]);
  });

  it('stores every valid body exactly as sent, escapes, pairs and safe numbers alike', async () => {
    const text =
      '{"action":"send \\u00e9","payload":{"n":[9007199254740991,-0.5,1.5e-300,5e-324,0.30000000000000004],' +
      '"s":"\\ud83d\\ude00 \\u202e","same":1,"same":1},"requestedBy":"agent-7"}';
    const created = await post(approvalsPath(WS), text).expect(201);
    const read = await request(host.url)
      .get(approvalsPath(WS, created.body.id))
      .set(authAs('agent'))
      .expect(200);
    const expected = JSON.parse(text) as Record<string, unknown>;
    expect(read.body).toMatchObject(expected);
  });
});
