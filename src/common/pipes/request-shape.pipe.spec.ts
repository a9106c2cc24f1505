import { BadRequestException } from '@nestjs/common';
import { MAX_NESTING_DEPTH } from '@app/approval-events';
import { findSilentlyDroppedKey, RequestShapePipe } from './request-shape.pipe';

const pipe = new RequestShapePipe();
/** As the body parser makes it: `__proto__` becomes an own key. */
const wire = (json: string): unknown => JSON.parse(json);

function messageOf(value: unknown): unknown {
  try {
    pipe.transform(value);
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestException);
    return ((error as BadRequestException).getResponse() as { message: unknown }).message;
  }
  throw new Error('expected a BadRequestException');
}

describe('RequestShapePipe', () => {
  it('passes ordinary bodies and queries through untouched', () => {
    const body = { action: 'send_email', payload: { to: 'bob', list: [{ a: 1 }], empty: {} } };
    expect(pipe.transform(body)).toBe(body);
    expect(pipe.transform({ limit: '5', status: 'pending' })).toEqual({
      limit: '5',
      status: 'pending',
    });
    expect(pipe.transform(undefined)).toBeUndefined();
  });

  it("leaves alone what ValidationPipe builds no DTO from, such as a gateway's arguments", () => {
    // A socket's object graph nests far deeper than any request may (and is cyclic).
    let socket: Record<string, unknown> = { id: 's1' };
    for (let level = 0; level <= MAX_NESTING_DEPTH + 1; level += 1) socket = { nsp: socket };
    const message = wire('{"__proto__":{"polluted":true},"workspaceId":"ws1"}');
    // As Nest 12 hands global pipes a gateway handler's socket and its `unknown` message.
    expect(pipe.transform(socket, { type: 'custom', metatype: Object })).toBe(socket);
    expect(pipe.transform(message, { type: 'body', metatype: Object })).toBe(message);
    class BodyDto {}
    expect(() => pipe.transform(message, { type: 'body', metatype: BodyDto })).toThrow(
      BadRequestException,
    );
  });

  it.each([
    ['__proto__', '{"__proto__":{"admin":true}}'],
    ['prototype', '{"prototype":1}'],
    ['constructor', '{"constructor":"x"}'],
    ['toString', '{"toString":"x"}'],
    ['hasOwnProperty', '{"hasOwnProperty":"x"}'],
    ['__defineGetter__', '{"__defineGetter__":"x"}'],
  ])('refuses a top-level "%s" key, naming it', (key, json) => {
    expect(messageOf(wire(json))).toEqual([`the key "${key}" is not allowed in a request`]);
  });

  it('refuses one at any depth, inside arrays too, naming the top-level field', () => {
    expect(messageOf(wire('{"payload":{"a":{"b":[{"c":{"__proto__":{}}}]}}}'))).toEqual([
      '"payload" must not contain the key "__proto__" at any depth',
    ]);
    expect(messageOf(wire('{"payload":{"items":[1,{"valueOf":2}]}}'))).toEqual([
      '"payload" must not contain the key "valueOf" at any depth',
    ]);
  });

  it('keeps a hostile field name short in its message', () => {
    const field = 'f'.repeat(10_000);
    const [message] = messageOf(wire(`{"${field}":{"constructor":1}}`)) as string[];
    expect(message.length).toBeLessThan(150);
  });

  it('lets keys that merely look alike through', () => {
    const body = wire('{"payload":{"proto":1,"__proto":2,"Constructor":3,"toJSON":4,"0":5}}');
    expect(findSilentlyDroppedKey(body)).toBeUndefined();
    expect(pipe.transform(body)).toBe(body);
  });

  it('refuses nesting deeper than the bound before walking the keys', () => {
    let deep: unknown = { __proto__x: 1 };
    for (let level = 0; level < MAX_NESTING_DEPTH + 1; level++) deep = { nested: deep };
    expect(messageOf(deep)).toBe(`The request nests more than ${MAX_NESTING_DEPTH} levels`);
  });
});
