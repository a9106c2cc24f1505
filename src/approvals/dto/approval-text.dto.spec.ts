import { BadRequestException, type Type, ValidationPipe } from '@nestjs/common';
import { SendEmailDto } from '../../agents/dto/send-email.dto';
import { ApproveApprovalDto } from './approve-approval.dto';
import { CancelApprovalDto } from './cancel-approval.dto';
import { CreateApprovalDto } from './create-approval.dto';
import { RejectApprovalDto } from './reject-approval.dto';

/** The pipe as main.ts installs it globally. */
const pipe = new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true });

async function verdict(metatype: Type<unknown>, body: object): Promise<string> {
  try {
    await pipe.transform(body, { type: 'body', metatype });
    return 'accepted';
  } catch (error) {
    if (!(error instanceof BadRequestException)) throw error;
    return ((error.getResponse() as { message: string[] }).message ?? []).join('; ');
  }
}

/** [route, the text field under test, its DTO, a valid body, its kind] for every text field the API takes. */
const FIELDS: [string, string, Type<unknown>, object, 'single' | 'multi'][] = [
  ['create', 'action', CreateApprovalDto, { action: 'a' }, 'single'],
  ['create', 'requestedBy', CreateApprovalDto, { action: 'a' }, 'single'],
  ['approve', 'resolvedBy', ApproveApprovalDto, { resolvedBy: 'a' }, 'single'],
  ['approve', 'notes', ApproveApprovalDto, { resolvedBy: 'a' }, 'multi'],
  ['reject', 'reason', RejectApprovalDto, { resolvedBy: 'a' }, 'single'],
  ['reject', 'notes', RejectApprovalDto, { resolvedBy: 'a' }, 'multi'],
  ['cancel', 'resolvedBy', CancelApprovalDto, {}, 'single'],
  ['cancel', 'reason', CancelApprovalDto, {}, 'single'],
  ['email', 'subject', SendEmailDto, { to: 'bob@example.com', subject: 's' }, 'single'],
  ['email', 'body', SendEmailDto, { to: 'bob@example.com', subject: 's' }, 'multi'],
];

describe.each(FIELDS)('%s %s', (_route, field, metatype, base, kind) => {
  const send = (text: string) => verdict(metatype, { ...base, [field]: text });

  it('refuses a lone surrogate, a C1 control and a bidi override with 400 naming the field', async () => {
    for (const [text, code] of [
      ['x\uD800', 'U+D800'],
      ['x\u009B', 'U+009B'],
      ['x\u202Ey', 'U+202E'],
      ['\u2066x', 'U+2066'],
    ]) {
      await expect(send(text)).resolves.toContain(`${field} must not contain`);
      await expect(send(text)).resolves.toContain(code);
    }
  });

  it(`keeps line feeds and tabs only if it is multi-line (${kind})`, async () => {
    await expect(send('one\ntwo\tthree')).resolves.toEqual(
      kind === 'multi' ? 'accepted' : expect.stringContaining(`${field} must not contain`),
    );
    await expect(send('one\r\ntwo')).resolves.toContain(`${field} must not contain`);
  });

  it('accepts any other valid Unicode', async () => {
    await expect(send('Zoë 😀 日本')).resolves.toBe('accepted');
  });
});

describe('payload', () => {
  it('keeps bidi controls and line breaks, and refuses lone surrogates and NUL by path', async () => {
    await expect(
      verdict(CreateApprovalDto, { action: 'a', payload: { 'to\u202E': 'a\r\n\u2066' } }),
    ).resolves.toBe('accepted');
    await expect(
      verdict(CreateApprovalDto, { action: 'a', payload: { a: ['\uD800'] } }),
    ).resolves.toBe('payload.a[0] must not contain a lone UTF-16 surrogate (U+D800)');
    await expect(
      verdict(CreateApprovalDto, { action: 'a', payload: { '\uDC00': 1 } }),
    ).resolves.toBe('payload must not contain a key with a lone UTF-16 surrogate (U+DC00)');
    await expect(
      verdict(CreateApprovalDto, { action: 'a', payload: { a: { b: 'x\u0000' } } }),
    ).resolves.toBe('payload.a.b must not contain a NUL character (U+0000)');
  });
});
