/**
 * Text normalisation for the before_message policy. Blocked words, blocked
 * patterns and flags are all matched against `normaliseForMatching(text)`, and
 * blocked words are normalised the same way when the policy is loaded, so
 * both sides of every comparison went through exactly the same steps.
 */

/** Default-ignorable format characters: zero-width space/joiners, soft hyphen, bidi controls, tags. */
const FORMAT_CHARACTERS = /\p{Cf}/gu;
/**
 * Combining marks that are accents rather than letters: the script-independent
 * diacritic blocks (Latin, Greek and Cyrillic accents, "zalgo" stacks),
 * variation selectors and the grapheme joiner, plus the optional vowel points
 * of Hebrew and Arabic. Marks that tell words apart in their script (Japanese
 * voicing marks, Indic vowel signs, Thai tone marks) are kept: stripping them
 * would turn ばか into はか and block an unrelated word.
 */
const ACCENT_MARKS =
  /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f\ufe00-\ufe0f\u{e0100}-\u{e01ef}\u0591-\u05c7\u064b-\u065f\u0670]/gu;
/** Lower-case letters with a fold that `toLowerCase` does not do. */
const EXTRA_FOLDS = /[ßς]/g;
const EXTRA_FOLD_TABLE: Readonly<Record<string, string>> = { ß: 'ss', ς: 'σ' };
// NFKC leaves ASCII alone, and ASCII holds no combining marks or format characters.
const PLAIN_ASCII = /^[^\u0080-\uffff]*$/;

/**
 * Folds the tricks people use to slip a word past a filter:
 *
 * 1. NFKC: compatibility forms become their plain letters (fullwidth `ＢＡＤ` → `BAD`,
 *    ligature `ﬁ` → `fi`, mathematical bold `𝐛𝐚𝐝` → `bad`, superscript digits → digits).
 * 2. Format characters (`\p{Cf}`: U+200B zero-width space, U+200C/D joiners, U+00AD
 *    soft hyphen, U+2060 word joiner, bidi controls) are removed, so `b\u200Bad` → `bad`.
 * 3. NFD, then accent marks (see `ACCENT_MARKS`) are removed, so `bád` → `bad`
 *    and `й` → `и`; NFC puts back together what NFD took apart and is left
 *    (Hangul syllables, kana with voicing marks), so patterns can be written
 *    with ordinary composed characters.
 * 4. Lower case (locale independent), then `ß` → `ss` and final `ς` → `σ`, which
 *    `toLowerCase` leaves as they are.
 *
 * Cross-script look-alikes (a Cyrillic `а` inside a Latin word), leetspeak and
 * letters spaced apart are not folded: blocked patterns can cover those.
 */
export const normaliseForMatching = (text: string): string => {
  // Most chat text is plain ASCII: skip the Unicode passes, which would change nothing.
  if (PLAIN_ASCII.test(text)) return text.toLowerCase();
  return text
    .normalize('NFKC')
    .replace(FORMAT_CHARACTERS, '')
    .normalize('NFD')
    .replace(ACCENT_MARKS, '')
    .normalize('NFC')
    .toLowerCase()
    .replace(EXTRA_FOLDS, (letter) => EXTRA_FOLD_TABLE[letter] ?? letter);
};

/** Number of Unicode code points (a surrogate pair, such as most emoji, counts once). */
export const countCodePoints = (text: string): number => {
  let count = text.length;
  for (let index = 0; index < text.length - 1; index += 1) {
    const unit = text.charCodeAt(index);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        count -= 1;
        index += 1;
      }
    }
  }
  return count;
};

/** Whether `text` has more than `max` code points, without counting when its UTF-16 length already settles it. */
export const exceedsCodePoints = (text: string, max: number): boolean =>
  text.length > max && (text.length > 2 * max || countCodePoints(text) > max);

/**
 * Escapes a literal for a regular expression compiled with the `u` flag. Only
 * the syntax characters and `/` may be escaped in `u` mode (`\-` is a syntax error there).
 */
export const escapeRegExp = (literal: string): string => literal.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');

/**
 * Characters that make up a word: a blocked word never matches inside a longer
 * run of these. Marks count as part of a word because the ones normalisation
 * keeps (Indic vowel signs, kana voicing marks) sit inside words.
 */
export const WORD_CHARACTER = String.raw`[\p{L}\p{M}\p{N}_]`;

/**
 * Code points of `source` that normalisation changes beyond letter case, with
 * what they become. A pattern is matched against normalised text, so a pattern
 * holding one of these (`café`, a zero-width space, `ß`) could never match.
 */
export const charactersChangedByNormalisation = (source: string): Array<{ character: string; becomes: string }> => {
  const changed: Array<{ character: string; becomes: string }> = [];
  for (const character of source) {
    const becomes = normaliseForMatching(character);
    if (becomes !== character.toLowerCase().replace('ς', 'σ')) changed.push({ character, becomes });
  }
  return changed;
};

/**
 * Scripts written without spaces between words. Whole-word matching cannot
 * work there (a sentence is one long run of letters), so a blocked word made
 * only of these characters matches anywhere in the text.
 */
export const UNSPACED_SCRIPT_WORD =
  /^[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Thai}\p{scx=Lao}\p{scx=Khmer}\p{scx=Myanmar}]+$/u;
