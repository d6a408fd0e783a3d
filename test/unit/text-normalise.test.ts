import { describe, expect, it } from 'vitest';
import {
  charactersChangedByNormalisation,
  countCodePoints,
  escapeRegExp,
  exceedsCodePoints,
  normaliseForMatching,
} from '../../functions/policy/text-normalise.ts';

describe('normaliseForMatching', () => {
  it.each([
    ['plain ASCII is lower-cased', 'Hello WORLD', 'hello world'],
    ['fullwidth letters become ASCII (NFKC)', 'ＢＡＤ ｗｏｒｄ', 'bad word'],
    ['mathematical bold letters become ASCII', '𝐛𝐚𝐝', 'bad'],
    ['ligatures are split', 'ﬁne', 'fine'],
    ['superscript and circled digits become digits', '²①', '21'],
    ['precomposed accents are stripped', 'bád Crème BRÛLÉE', 'bad creme brulee'],
    ['decomposed accents are stripped', 'ba\u0301d', 'bad'],
    ['stacked "zalgo" marks are stripped', 'b\u0337\u0322a\u0334d\u0336', 'bad'],
    ['zero-width space is removed', 'b\u200Bad', 'bad'],
    ['zero-width joiner and non-joiner are removed', 'b\u200Da\u200Cd', 'bad'],
    ['soft hyphen is removed', 'b\u00ADad', 'bad'],
    ['word joiner and BOM are removed', 'b\u2060a\uFEFFd', 'bad'],
    ['bidi overrides are removed', '\u202Ebad\u202C', 'bad'],
    ['German sharp s folds to ss', 'Straße', 'strasse'],
    ['capital sharp s folds to ss', 'STRAẞE', 'strasse'],
    ['Greek accents and final sigma fold', 'ΛΌΓΟΣ λόγος', 'λογοσ λογοσ'],
    ['Cyrillic is lower-cased', 'ПЛОХОЙ', 'плохои'],
    ['Turkish dotted capital I becomes i', 'İstanbul', 'istanbul'],
    ['non-breaking and ideographic spaces become spaces', 'a\u00A0b\u3000c', 'a b c'],
    ['Japanese voicing marks are kept (ばか is not はか)', 'ばか', 'ばか'],
    ['halfwidth katakana become fullwidth, voicing kept', 'ﾊﾞｶ', 'バカ'],
    ['Hangul syllables survive NFD and come back composed', '한국어', '한국어'],
    ['Devanagari vowel signs are kept', 'किताब', 'किताब'],
    ['Arabic optional vowel points are stripped', 'كَلْب', 'كلب'],
    ['emoji variation selectors are stripped', '❤️ ok', '❤ ok'],
    ['emoji without selectors are unchanged', '🙂🎉', '🙂🎉'],
    ['empty text stays empty', '', ''],
  ])('%s', (_name, input, expected) => {
    // Act
    const normalised = normaliseForMatching(input);

    // Assess
    expect(normalised).toBe(expected);
  });

  it.each([
    ['Hello, World! 123 #tag @user'],
    ['Tabs\tand\nnew lines\r\n'],
    ['~`!@#$%^&*()_+-={}[]|\\:";\'<>?,./'],
  ])('the ASCII shortcut gives what the full pipeline gives: %j', (input) => {
    // Prepare: the same text followed by a non-ASCII character takes the full path.
    const marker = '\u00E9';

    // Act
    const fast = normaliseForMatching(input);
    const full = normaliseForMatching(`${input}${marker}`);

    // Assess
    expect(`${fast}e`).toBe(full);
  });

  it('is idempotent', () => {
    const input = 'ＢÁＤ b\u200Bád STRAẞE ΛΌΓΟΣ ﾊﾞｶ 한국어 ❤️';
    const once = normaliseForMatching(input);
    expect(normaliseForMatching(once)).toBe(once);
  });
});

describe('code points', () => {
  it.each([
    ['', 0],
    ['abc', 3],
    ['é', 1],
    ['e\u0301', 2],
    ['🙂', 1],
    ['🙂🙂a', 3],
    ['👩‍💻', 3],
    ['\uD83D', 1],
    ['\uDE42x', 2],
  ])('%j has %i', (text, expected) => {
    expect(countCodePoints(text)).toBe(expected);
  });

  it.each([
    ['abc', 3, false],
    ['abcd', 3, true],
    ['🙂🙂🙂', 3, false],
    ['🙂🙂🙂🙂', 3, true],
    ['🙂🙂🙂a', 3, true],
    ['a'.repeat(10), 4, true],
  ])('%j exceeds %i: %s', (text, max, expected) => {
    expect(exceedsCodePoints(text, max)).toBe(expected);
  });
});

describe('escapeRegExp', () => {
  it.each(['c++', 'a.b', '(x)', '[y]', '{2}', 'a|b', '^$', 'back\\slash', 'a/b', 'a-b'])(
    '%j compiles with the u flag and matches itself only',
    (literal) => {
      const pattern = new RegExp(`^${escapeRegExp(literal)}$`, 'u');
      expect(pattern.test(literal)).toBe(true);
      expect(pattern.test(`${literal}x`)).toBe(false);
    },
  );
});

describe('charactersChangedByNormalisation', () => {
  it.each([
    ['plain pattern', String.raw`\bfree\s+money\b`, []],
    ['upper case is fine (patterns are case-insensitive)', 'FREE ΛΟΓΟΣ', []],
    ['kana and Hangul are fine', 'ばか|한국어', []],
    ['accented letter', 'café', ['é']],
    ['zero-width space', 'b\u200Bad', ['\u200B']],
    ['fullwidth letter', 'ｂad', ['ｂ']],
    ['sharp s', 'straße', ['ß']],
  ])('%s', (_name, source, expected) => {
    expect(charactersChangedByNormalisation(source).map(({ character }) => character)).toEqual(expected);
  });
});
