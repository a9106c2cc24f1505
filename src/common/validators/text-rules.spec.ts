import { jsonTextProblem, textProblem } from './text-rules';

/** One of each kind of character the rules treat apart. */
const BIDI = ['\u061C', '\u200E', '\u200F', '\u202A', '\u202B', '\u202C', '\u202D', '\u202E'];
const ISOLATES = ['\u2066', '\u2067', '\u2068', '\u2069'];
const LINE_BREAKS = ['\n', '\r', '\u2028', '\u2029', '\u0085'];
const CONTROLS = ['\u0000', '\u0001', '\u001B', '\u007F', '\u0080', '\u009B', '\u009F'];
const LONE = ['\uD800', '\uDBFF', '\uDC00', '\uDFFF', 'a\uD800b', '\uDC00\uD800'];
const FINE = ['alice', 'Zoë', '日本語', '😀 ok', 'é\uFE0F', '\u200D', "O'Brien <a@b.c>", '\u00A0'];

describe('textProblem', () => {
  it.each(FINE)('accepts %j on one line and on many', (text) => {
    expect(textProblem(text, 'single-line')).toBeUndefined();
    expect(textProblem(text, 'multi-line')).toBeUndefined();
  });

  it.each([...BIDI, ...ISOLATES, ...CONTROLS, ...LINE_BREAKS, '\t'])(
    'refuses %j on one line, naming the code point and where',
    (character) => {
      const code = character.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
      expect(textProblem(`ab${character}`, 'single-line')).toBe(
        `a control, line break or bidi character (U+${code}) at index 2`,
      );
    },
  );

  it('keeps only LF and tab on many lines', () => {
    expect(textProblem('one\n\ttwo', 'multi-line')).toBeUndefined();
    for (const character of [...BIDI, ...ISOLATES, ...CONTROLS, '\r', '\u2028', '\u2029']) {
      expect(textProblem(character, 'multi-line')).toMatch(/^a control or bidi character/);
    }
  });

  it.each(LONE)('refuses the lone surrogate in %j everywhere', (text) => {
    expect(textProblem(text, 'single-line')).toMatch(/^a lone UTF-16 surrogate \(U\+D[89A-F]/);
    expect(textProblem(text, 'multi-line')).toMatch(/^a lone UTF-16 surrogate/);
  });
});

describe('jsonTextProblem', () => {
  it('keeps any valid Unicode in keys and values, bidi and line breaks included', () => {
    const payload = { 'to\u202E': ['\u202Egnp.exe', { note: 'a\r\nb\u2066' }], n: 1, ok: null };
    expect(jsonTextProblem(payload, 'payload')).toBeUndefined();
  });

  it('names where a lone surrogate or NUL sits, values and keys alike', () => {
    expect(jsonTextProblem({ a: { b: ['x', '\uD800'] } }, 'payload')).toEqual({
      path: 'payload.a.b[1]',
      problem: 'a lone UTF-16 surrogate (U+D800)',
    });
    expect(jsonTextProblem({ a: { 'k\uDC00': 1 } }, 'payload')).toEqual({
      path: 'payload.a',
      problem: 'a key with a lone UTF-16 surrogate (U+DC00)',
    });
    expect(jsonTextProblem({ 'x\u0000': 1 }, 'payload')?.problem).toBe(
      'a key with a NUL character (U+0000)',
    );
    expect(jsonTextProblem({ ['\u202E'.repeat(50)]: '\u0000' }, 'payload')?.path).toBe(
      `payload.${'\\u202E'.repeat(40)}…`,
    );
  });

  it('walks 30 000 levels without overflowing the stack', () => {
    let deep: unknown = '\uD800';
    for (let level = 0; level < 30_000; level++) deep = [deep];
    expect(jsonTextProblem(deep, 'payload')?.problem).toMatch(/lone UTF-16 surrogate/);
  });
});
