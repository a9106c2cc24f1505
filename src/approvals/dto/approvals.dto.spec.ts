import { MAX_RESOLUTION_BYTES } from '@app/approval-events';
import {
  BadRequestException,
  ValidationPipe,
  type ArgumentMetadata,
  type Type,
} from '@nestjs/common';
import { MAX_NOTES_LENGTH, MAX_REASON_LENGTH } from '../approvals.constants';
import { ApprovalParamsDto, WorkspaceParamsDto } from './approval-params.dto';
import { ApproveApprovalDto } from './approve-approval.dto';
import { CancelApprovalDto } from './cancel-approval.dto';
import { CreateApprovalDto } from './create-approval.dto';
import { ListApprovalsQueryDto } from './list-approvals.query.dto';
import { RejectApprovalDto } from './reject-approval.dto';
import { WaitApprovalQueryDto } from './wait-approval.query.dto';

/** The pipe exactly as main.ts installs it globally. */
const pipe = new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true });

const run = (metatype: Type<unknown>, value: unknown, type: ArgumentMetadata['type'] = 'body') =>
  pipe.transform(value, { type, metatype });

async function problemsOf(metatype: Type<unknown>, value: unknown, type: ArgumentMetadata['type']) {
  const error = await run(metatype, value, type).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(BadRequestException);
  return ((error as BadRequestException).getResponse() as { message: string[] }).message.join('; ');
}

describe('approval DTOs', () => {
  describe.each<[string, Type<unknown>, ArgumentMetadata['type'], unknown, string]>([
    // [case, DTO, where, value, words the error must contain]
    ['create: no action', CreateApprovalDto, 'body', {}, 'action'],
    ['create: empty action', CreateApprovalDto, 'body', { action: '' }, 'action must be longer'],
    [
      'create: numeric action',
      CreateApprovalDto,
      'body',
      { action: 42 },
      'action must be a string',
    ],
    ['create: overlong action', CreateApprovalDto, 'body', { action: 'a'.repeat(129) }, 'action'],
    [
      'create: array payload',
      CreateApprovalDto,
      'body',
      { action: 'a', payload: [1] },
      'payload must be an object',
    ],
    [
      'create: string payload',
      CreateApprovalDto,
      'body',
      { action: 'a', payload: 'x' },
      'payload must be an object',
    ],
    [
      'create: huge payload',
      CreateApprovalDto,
      'body',
      { action: 'a', payload: { x: 'y'.repeat(8_200) } },
      'payload must serialise to at most 8192 bytes',
    ],
    [
      'create: payload big only in UTF-8',
      CreateApprovalDto,
      'body',
      { action: 'a', payload: { x: 'é'.repeat(4_100) } },
      'payload must serialise',
    ],
    [
      'create: empty requestedBy',
      CreateApprovalDto,
      'body',
      { action: 'a', requestedBy: '' },
      'requestedBy',
    ],
    [
      'create: empty requestedFor',
      CreateApprovalDto,
      'body',
      { action: 'a', requestedFor: '' },
      'requestedFor',
    ],
    [
      'create: requestedFor with NUL',
      CreateApprovalDto,
      'body',
      { action: 'a', requestedFor: 'a\u0000b' },
      'requestedFor',
    ],
    [
      'create: overlong requestedBy',
      CreateApprovalDto,
      'body',
      { action: 'a', requestedBy: 'r'.repeat(257) },
      'requestedBy',
    ],
    [
      'create: unknown field',
      CreateApprovalDto,
      'body',
      { action: 'a', status: 'approved' },
      'property status should not exist',
    ],
    ['approve: empty resolvedBy', ApproveApprovalDto, 'body', { resolvedBy: '' }, 'resolvedBy'],
    [
      'approve: overlong resolvedBy',
      ApproveApprovalDto,
      'body',
      { resolvedBy: 'r'.repeat(257) },
      'resolvedBy',
    ],
    [
      'approve: overlong notes',
      ApproveApprovalDto,
      'body',
      { resolvedBy: 'a', notes: 'n'.repeat(2_001) },
      'notes',
    ],
    [
      'approve: object notes',
      ApproveApprovalDto,
      'body',
      { resolvedBy: 'a', notes: { n: 1 } },
      'notes must be a string',
    ],
    [
      'approve: a reason',
      ApproveApprovalDto,
      'body',
      { resolvedBy: 'a', reason: 'r' },
      'property reason should not exist',
    ],
    [
      'reject: overlong reason',
      RejectApprovalDto,
      'body',
      { resolvedBy: 'a', reason: 'r'.repeat(501) },
      'reason',
    ],
    [
      'reject: overlong notes',
      RejectApprovalDto,
      'body',
      { resolvedBy: 'a', notes: 'n'.repeat(2_001) },
      'notes',
    ],
    ['cancel: empty resolvedBy', CancelApprovalDto, 'body', { resolvedBy: '' }, 'resolvedBy'],
    ['cancel: numeric reason', CancelApprovalDto, 'body', { reason: 1 }, 'reason must be a string'],
    ['cancel: notes', CancelApprovalDto, 'body', { notes: 'n' }, 'property notes should not exist'],
    [
      'list: limit 0',
      ListApprovalsQueryDto,
      'query',
      { limit: '0' },
      'limit must not be less than 1',
    ],
    [
      'list: limit 101',
      ListApprovalsQueryDto,
      'query',
      { limit: '101' },
      'limit must not be greater than 100',
    ],
    [
      'list: fractional limit',
      ListApprovalsQueryDto,
      'query',
      { limit: '1.5' },
      'limit must be an integer',
    ],
    [
      'list: word limit',
      ListApprovalsQueryDto,
      'query',
      { limit: 'ten' },
      'limit must be an integer',
    ],
    ['list: repeated limit', ListApprovalsQueryDto, 'query', { limit: ['1', '2'] }, 'limit'],
    [
      'list: unknown status',
      ListApprovalsQueryDto,
      'query',
      { status: 'maybe' },
      'status must be one of',
    ],
    [
      'list: unknown query',
      ListApprovalsQueryDto,
      'query',
      { page: '2' },
      'property page should not exist',
    ],
    [
      'wait: negative timeout',
      WaitApprovalQueryDto,
      'query',
      { timeoutMs: '-1' },
      'timeoutMs must not be less than 0',
    ],
    [
      'wait: timeout over 120 s',
      WaitApprovalQueryDto,
      'query',
      { timeoutMs: '120001' },
      'timeoutMs must not be greater than 120000',
    ],
    [
      'wait: word timeout',
      WaitApprovalQueryDto,
      'query',
      { timeoutMs: 'soon' },
      'timeoutMs must be an integer',
    ],
    [
      'list: hexadecimal limit (Number() would read it as a number)',
      ListApprovalsQueryDto,
      'query',
      { limit: '0x10' },
      'limit must be an integer',
    ],
    [
      'list: exponent limit (Number() would read it as a number)',
      ListApprovalsQueryDto,
      'query',
      { limit: '1e1' },
      'limit must be an integer',
    ],
    [
      'list: padded limit (Number() would read it as a number)',
      ListApprovalsQueryDto,
      'query',
      { limit: ' 7 ' },
      'limit must be an integer',
    ],
    [
      'list: plus-signed limit (Number() would read it as a number)',
      ListApprovalsQueryDto,
      'query',
      { limit: '+5' },
      'limit must be an integer',
    ],
    [
      'list: full-width digits (Number() would read it as a number)',
      ListApprovalsQueryDto,
      'query',
      { limit: '\uFF11\uFF10' },
      'limit must be an integer',
    ],
    [
      'wait: empty timeout (Number() would read it as a number)',
      WaitApprovalQueryDto,
      'query',
      { timeoutMs: '' },
      'timeoutMs must be an integer',
    ],
    [
      'wait: hexadecimal timeout (Number() would read it as a number)',
      WaitApprovalQueryDto,
      'query',
      { timeoutMs: '0x10' },
      'timeoutMs must be an integer',
    ],
    [
      'wait: Infinity timeout (Number() would read it as a number)',
      WaitApprovalQueryDto,
      'query',
      { timeoutMs: 'Infinity' },
      'timeoutMs must be an integer',
    ],
    [
      'path: empty workspaceId',
      WorkspaceParamsDto,
      'param',
      { workspaceId: '' },
      'workspaceId must be 1 to 128 characters',
    ],
    [
      'path: workspaceId with a space',
      WorkspaceParamsDto,
      'param',
      { workspaceId: 'w s' },
      'workspaceId must be 1 to 128',
    ],
    [
      'path: workspaceId with a slash',
      WorkspaceParamsDto,
      'param',
      { workspaceId: 'w/s' },
      'workspaceId must be 1 to 128',
    ],
    [
      'path: non-ASCII workspaceId',
      WorkspaceParamsDto,
      'param',
      { workspaceId: 'wé' },
      'workspaceId must be 1 to 128',
    ],
    [
      'path: overlong approvalId',
      ApprovalParamsDto,
      'param',
      { workspaceId: 'ws1', approvalId: 'a'.repeat(129) },
      'approvalId must be 1 to 128',
    ],
    [
      'path: approvalId with a newline',
      ApprovalParamsDto,
      'param',
      { workspaceId: 'ws1', approvalId: 'a\nb' },
      'approvalId must be 1 to 128',
    ],
  ])('%s', (_case, metatype, type, value, expected) => {
    it('is refused with 400 naming the problem', async () => {
      expect(await problemsOf(metatype, value, type)).toContain(expected);
    });
  });

  describe('good input', () => {
    it('accepts a full create body at its bounds', async () => {
      const body = {
        action: 'a'.repeat(128),
        payload: { x: 'y'.repeat(8_000) },
        requestedBy: 'r'.repeat(256),
      };
      await expect(run(CreateApprovalDto, body)).resolves.toEqual(body);
    });

    it('accepts an empty cancel body', async () => {
      await expect(run(CancelApprovalDto, {})).resolves.toEqual({});
    });

    it('accepts decisions without resolvedBy: the host records the principal', async () => {
      await expect(run(ApproveApprovalDto, { notes: 'n' })).resolves.toEqual({ notes: 'n' });
      await expect(run(RejectApprovalDto, { reason: 'r' })).resolves.toEqual({ reason: 'r' });
    });

    it.each(['ws1', 'A-b_c.d:e', 'x'.repeat(128), '3f0c6c1e-8a4b-4c1e-9a57-2f0b1d6a9e11'])(
      'accepts the id %s',
      async (id) => {
        await expect(
          run(ApprovalParamsDto, { workspaceId: id, approvalId: id }, 'param'),
        ).resolves.toEqual({
          workspaceId: id,
          approvalId: id,
        });
      },
    );

    it('defaults limit to 50 and timeoutMs to 30000, and turns query strings into numbers', async () => {
      await expect(run(ListApprovalsQueryDto, {}, 'query')).resolves.toEqual({ limit: 50 });
      await expect(
        run(ListApprovalsQueryDto, { limit: '100', status: 'auto_approved' }, 'query'),
      ).resolves.toEqual({
        limit: 100,
        status: 'auto_approved',
      });
      await expect(run(WaitApprovalQueryDto, {}, 'query')).resolves.toEqual({ timeoutMs: 30_000 });
      await expect(run(WaitApprovalQueryDto, { timeoutMs: '0' }, 'query')).resolves.toEqual({
        timeoutMs: 0,
      });
    });
  });

  it('bounds reason and notes so any resolution fits in one approval event', () => {
    // JSON escapes a control character as six characters: the worst case a body can reach.
    const worst = {
      reason: '\u0001'.repeat(MAX_REASON_LENGTH),
      notes: '\u0001'.repeat(MAX_NOTES_LENGTH),
    };
    expect(JSON.stringify(worst).length).toBeLessThanOrEqual(MAX_RESOLUTION_BYTES);
  });
});
