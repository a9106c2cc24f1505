import { parseStrictJson, StrictJsonError } from './strict-json';

const refusal = (text: string) => {
  try {
    parseStrictJson(text);
  } catch (error) {
    expect(error).toBeInstanceOf(StrictJsonError);
    return (error as Error).message;
  }
  throw new Error(`accepted ${text}`);
};

describe('parseStrictJson', () => {
  it('reads what JSON.parse reads when nothing would be rewritten', () => {
    for (const text of [
      '{"action":"a","payload":{"n":1.5,"list":[1,-2,3e2,0.1,null,true],"s":"é😀\\u202e"}}',
      '[]',
      ' {"max":9007199254740991,"min":-9007199254740991,"tiny":5e-324,"float":1.5e-300}',
      '{"sum":0.30000000000000004,"pi":3.141592653589793,"e":2.5e-3}',
      '{"same":1,"same":1}',
    ]) {
      expect(parseStrictJson(text)).toEqual(JSON.parse(text));
    }
  });

  it('refuses a duplicate key at any depth, naming it', () => {
    expect(refusal('{"action":"a","action":"b"}')).toMatch(/Duplicate key 'action'/);
    expect(refusal('{"payload":{"to":"a","to":"b"}}')).toMatch(/Duplicate key 'to'/);
  });

  it.each([
    ['1e400', 'beyond the largest double'],
    ['-1e400', 'beyond the largest double'],
    ['1e-400', 'too small for a double'],
    ['0.123456789012345678901', 'digits lost'],
    ['9007199254740993', 'an integer beyond'],
  ])('refuses %s: %s', (number, reason) => {
    expect(refusal(`{"n":${number}}`)).toContain(reason);
  });

  it('refuses integers beyond 2^53 - 1 however written, even where the double is exact', () => {
    expect(refusal('{"n":9007199254740992}')).toMatch(/an integer beyond ±\(2\^53 - 1\)/);
    expect(refusal('{"n":[-18014398509481984]}')).toMatch(/an integer beyond/);
    expect(refusal('{"n":1e20}')).toMatch(/integer beyond/);
    expect(refusal('{"n":9007199254740992.0}')).toMatch(/integer beyond/);
  });

  it('refuses scalars at the top and trailing text, as body-parser’s strict mode did', () => {
    for (const text of ['null', '"text"', '5', 'true']) {
      expect(refusal(text)).toBe('Request body must be a JSON object or array');
    }
    expect(refusal('{"a":1} trailing')).toMatch(/^Request body is not valid JSON: /);
    expect(refusal('{"a":1,}')).toMatch(/^Request body is not valid JSON: /);
  });

  it('keeps __proto__ a plain own key, for the request-shape pipe to refuse', () => {
    const parsed = parseStrictJson('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.keys(parsed)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
