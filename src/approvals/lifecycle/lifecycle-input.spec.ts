import { BadRequestException, ValidationPipe } from '@nestjs/common';
import { CreateApprovalDto } from '../dto/create-approval.dto';
import { scheduleOf } from './approval-deadline';
import { parseIdempotencyKey, requestFingerprint } from './idempotency-key';

/** The pipe exactly as main.ts installs it globally. */
const pipe = new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true });
const create = (body: Record<string, unknown>) =>
  pipe.transform({ action: 'deploy', ...body }, { type: 'body', metatype: CreateApprovalDto });

async function problemsOf(body: Record<string, unknown>): Promise<string> {
  const error = await create(body).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(BadRequestException);
  return ((error as BadRequestException).getResponse() as { message: string[] }).message.join('; ');
}

const DAY = 24 * 3_600_000;
const fromNow = (ms: number) => new Date(Date.now() + ms).toISOString();

describe('a create’s deadline, policy and reminder', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['expiresInMs under 1 s', { expiresInMs: 999 }, 'expiresInMs must not be less than 1000'],
    [
      'expiresInMs over 30 days',
      { expiresInMs: 30 * DAY + 1 },
      'expiresInMs must not be greater than 2592000000',
    ],
    ['expiresInMs as a string', { expiresInMs: '60000' }, 'expiresInMs must be an integer'],
    ['fractional expiresInMs', { expiresInMs: 1_500.5 }, 'expiresInMs must be an integer'],
    [
      'both deadlines',
      { expiresInMs: 60_000, expiresAt: fromNow(60_000) },
      'expiresAt cannot be given with expiresInMs',
    ],
    ['expiresAt in the past', { expiresAt: fromNow(-1_000) }, 'expiresAt must be in the future'],
    [
      'expiresAt beyond 30 days',
      { expiresAt: fromNow(31 * DAY) },
      'expiresAt must be in the future and at most',
    ],
    [
      'expiresAt without a zone',
      { expiresAt: '2099-01-01T10:00:00' },
      'expiresAt must be an ISO-8601 date-time with a zone',
    ],
    [
      'expiresAt as a date only',
      { expiresAt: '2099-01-01' },
      'expiresAt must be an ISO-8601 date-time',
    ],
    [
      'an impossible expiresAt',
      { expiresAt: '2026-02-30T10:00:00Z' },
      'expiresAt must be an ISO-8601',
    ],
    ['a numeric expiresAt', { expiresAt: Date.now() + 60_000 }, 'expiresAt must be an ISO-8601'],
    [
      'an overlong expiresAt',
      { expiresAt: `${fromNow(60_000)}${' '.repeat(64)}` },
      'at most 64 characters',
    ],
    [
      'an unknown onExpiry',
      { expiresInMs: 60_000, onExpiry: 'escalate' },
      'onExpiry must be one of the following values: expire, reject, approve',
    ],
    ['onExpiry without a deadline', { onExpiry: 'reject' }, 'onExpiry needs a deadline'],
    ['remindAfterMs under 1 s', { remindAfterMs: 10 }, 'remindAfterMs must not be less than 1000'],
    [
      'remindAfterMs at the deadline',
      { expiresInMs: 60_000, remindAfterMs: 60_000 },
      'remindAfterMs must be less than the deadline',
    ],
    [
      'remindAfterMs after expiresAt',
      { expiresAt: fromNow(60_000), remindAfterMs: 120_000 },
      'remindAfterMs must be less than the deadline',
    ],
  ])('refuses %s with a 400 naming the field', async (_, body, words) => {
    expect(await problemsOf(body)).toContain(words);
  });

  it('accepts each way of giving a deadline, and resolves it from the creation time', async () => {
    const createdAt = new Date('2026-12-01T10:00:00.000Z');
    const relative = (await create({
      expiresInMs: 60_000,
      remindAfterMs: 30_000,
    })) as CreateApprovalDto;
    expect(scheduleOf(relative, createdAt)).toEqual({
      expiresAt: '2026-12-01T10:01:00.000Z',
      onExpiry: 'expire',
      remindAt: '2026-12-01T10:00:30.000Z',
    });
    const tenDays = fromNow(10 * DAY);
    const absolute = (await create({
      expiresAt: tenDays,
      onExpiry: 'approve',
    })) as CreateApprovalDto;
    expect(scheduleOf(absolute, createdAt)).toEqual({ expiresAt: tenDays, onExpiry: 'approve' });
    // An offset is normalised to UTC.
    expect(scheduleOf({ expiresAt: '2026-12-02T12:00:00+02:00' }, createdAt)).toEqual({
      expiresAt: '2026-12-02T10:00:00.000Z',
      onExpiry: 'expire',
    });
    expect(scheduleOf((await create({})) as CreateApprovalDto, createdAt)).toEqual({});
  });
});

describe('Idempotency-Key', () => {
  it.each(['k', 'order-42/retry 1', '~'.repeat(200)])('accepts %j', (key) => {
    expect(parseIdempotencyKey(key)).toBe(key);
  });

  it('is absent without the header', () => {
    expect(parseIdempotencyKey(undefined)).toBeUndefined();
  });

  it.each<[string, unknown]>([
    ['empty', ''],
    ['over 200 characters', 'k'.repeat(201)],
    ['a control character', 'a\tb'],
    ['non-ASCII', 'clé'],
    ['repeated headers (an array)', ['a', 'b']],
  ])('refuses %s with a 400 naming the header', (_, value) => {
    expect(() => parseIdempotencyKey(value)).toThrow(
      new BadRequestException('Idempotency-Key must be 1 to 200 printable ASCII characters'),
    );
  });

  it('fingerprints a body whatever the order of its keys, and tells any other body apart', async () => {
    const one = await create({
      payload: { to: 'bob', nested: { a: 1, b: [1, 2] } },
      expiresInMs: 60_000,
    });
    const reordered = await create({
      expiresInMs: 60_000,
      payload: { nested: { b: [1, 2], a: 1 }, to: 'bob' },
    });
    const other = await create({
      payload: { to: 'bob', nested: { a: 1, b: [2, 1] } },
      expiresInMs: 60_000,
    });
    expect(requestFingerprint(one as object)).toBe(requestFingerprint(reordered as object));
    expect(requestFingerprint(one as object)).not.toBe(requestFingerprint(other as object));
    expect(requestFingerprint(one as object)).toMatch(/^[0-9a-f]{64}$/);
  });
});
