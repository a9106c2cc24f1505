import { quoteSchemaName } from './schema-name';

describe('quoteSchemaName', () => {
  it.each(['public', 'approvals', '_private', 'tenant_42', 'a'.repeat(63)])(
    'quotes %s',
    (schema) => {
      expect(quoteSchemaName(schema)).toBe(`"${schema}"`);
    },
  );

  it.each([
    ['empty', ''],
    ['upper case', 'Public'],
    ['a leading digit', '1tenant'],
    ['punctuation', 'a-b'],
    ['a quote', 'a"b'],
    ['an injection attempt', 'public; DROP TABLE approvals; --'],
    ['over 63 characters', 'a'.repeat(64)],
    ['the reserved pg_ prefix', 'pg_catalog'],
  ])('refuses %s', (_, schema) => {
    expect(() => quoteSchemaName(schema)).toThrow(RangeError);
  });
});
