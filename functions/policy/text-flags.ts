/**
 * Heuristic flags computed on a message's normalised text (see
 * `normaliseForMatching`: lower case, NFKC, no format characters or combining
 * marks). They are metadata for the app, not reasons to drop a message, so
 * they lean towards the common case rather than catching every obfuscation.
 *
 * Every expression here is anchored by a look-behind that only lets a match
 * start at the beginning of a token, and none nests an ambiguous quantifier,
 * so each runs in time linear in the text (the unit tests time them on
 * adversarial input).
 */

export const FLAG_NAMES = ['contains_link', 'contains_phone_number', 'contains_email'] as const;
export type FlagName = (typeof FLAG_NAMES)[number];
export type Flags = Partial<Record<FlagName, boolean>>;

/** One DNS label: letters and digits, inner hyphens allowed (IDN labels keep their letters after normalisation). */
const LABEL = String.raw`[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?`;

/**
 * Country-code top-level domains (IANA, the ones in use). Bare `word.xx` text
 * is only a link when `xx` is one of these, so `e.g.`, `i.e.` and `node.js` are not.
 */
const COUNTRY_CODE_TLDS =
  'ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo br bs bt bw by bz ' +
  'ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee eg er es et eu ' +
  'fi fj fk fm fo fr ga gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm hn hr ht hu ' +
  'id ie il im in io iq ir is it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb lc li lk lr ls lt lu lv ly ' +
  'ma mc md me mg mh mk ml mm mn mo mp mq mr ms mt mu mv mw mx my mz na nc ne nf ng ni nl no np nr nu nz om ' +
  'pa pe pf pg ph pk pl pm pn pr ps pt pw py qa re ro rs ru rw sa sb sc sd se sg sh si sk sl sm sn so sr ss st su sv sx sy sz ' +
  'tc td tf tg th tj tk tl tm tn to tr tt tv tw tz ua ug uk us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw';

/** Generic top-level domains common in chat, including the ones spam favours. */
const GENERIC_TLDS =
  'com net org info biz edu gov mil int mobi name pro app dev xyz online site website shop store club top live link ' +
  'click page blog tech cloud ai icu vip win bet casino money loan work world news email one art fun space life today ' +
  'network digital agency media group solutions services support finance games chat social';

const TLD_ALTERNATION = `(?:${[...GENERIC_TLDS.split(' '), ...COUNTRY_CODE_TLDS.split(' ')].join('|')})`;

/** `http://`, `https://` or `ftp://` followed by something. */
const URL_WITH_SCHEME = /(?<![\p{L}\p{N}_])(?:https?|ftp):\/\/[^\s]/u;
/** `www.` followed by a label: a host even without a recognisable TLD. */
const WWW_HOST = new RegExp(String.raw`(?<![\p{L}\p{N}_@.-])www\.${LABEL}`, 'u');
/**
 * `label.label.tld` with a known TLD. It may not start inside another domain
 * (after `x.`) or an address (after `@`), so an email is not also a link and
 * `a.a.a.a…` is scanned once, not once per label.
 */
const BARE_DOMAIN = new RegExp(
  String.raw`(?<![\p{L}\p{N}_@-]|[\p{L}\p{N}]\.)(?:${LABEL}\.)+${TLD_ALTERNATION}(?![\p{L}\p{N}_@-])`,
  'u',
);

/** `local@domain.tld`; the local part starts at a token start. */
const EMAIL_ADDRESS = new RegExp(
  String.raw`(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]+@(?:${LABEL}\.)+\p{L}{2,}(?![\p{L}\p{N}_-])`,
  'u',
);

/**
 * A run of digits joined by up to three of space, dot, dash and parentheses,
 * with an optional leading `+`. Not after a letter, digit, currency sign, `#`,
 * `.` or `/` (amounts, ids, decimals, URL paths), not before a letter or `%`.
 */
const PHONE_CANDIDATE = /(?<![\p{L}\p{N}_\p{Sc}#./])(?:\+ ?)?\(?\p{Nd}(?:[ .\-()]{0,3}\p{Nd})*(?![\p{L}\p{N}_%])/gu;
/**
 * Digit groups that read as something else than a phone number: dates
 * (2024-01-01, 31.12.2024), year ranges (2019-2024) and IPv4 addresses. They
 * are blanked out before looking for phone numbers, unless they are part of
 * a longer dotted or dashed number (French `01.23.45.67.89` stays).
 */
const NOT_A_PHONE_NUMBER =
  /(?<!\p{Nd}|\p{Nd}[-./])(?:\p{Nd}{4}([-./])\p{Nd}{1,2}\1\p{Nd}{1,2}|\p{Nd}{1,2}([-./])\p{Nd}{1,2}\2\p{Nd}{4}|(?:19|20)\p{Nd}{2} ?[-–] ?(?:19|20)\p{Nd}{2}|\p{Nd}{1,3}(?:\.\p{Nd}{1,3}){3})(?!\p{Nd}|[-./]\p{Nd})/gu;
const DIGIT = /\p{Nd}/gu;
const NOT_DIGIT_OR_PLUS = /[\p{Nd}+]/gu;
/** `1 500 000`, `12.345.678`: an amount grouped in thousands, not a phone number (those start with 3+ digits or `+`). */
const GROUPED_AMOUNT = /^\p{Nd}{1,2}([ .])\p{Nd}{3}(?:\1\p{Nd}{3})*$/u;

export const MIN_PHONE_DIGITS = 7;
export const MAX_PHONE_DIGITS = 15;

export const containsLink = (normalised: string): boolean =>
  URL_WITH_SCHEME.test(normalised) || WWW_HOST.test(normalised) || BARE_DOMAIN.test(normalised);

export const containsEmail = (normalised: string): boolean => EMAIL_ADDRESS.test(normalised);

const isPhoneNumber = (candidate: string): boolean => {
  const digits = candidate.match(DIGIT)?.length ?? 0;
  if (digits < MIN_PHONE_DIGITS || digits > MAX_PHONE_DIGITS) return false;
  // One dot and nothing else between the digits is a decimal number (3.14159265).
  if (candidate.replace(NOT_DIGIT_OR_PLUS, '') === '.') return false;
  return !GROUPED_AMOUNT.test(candidate);
};

export const containsPhoneNumber = (normalised: string): boolean => {
  const text = normalised.replace(NOT_A_PHONE_NUMBER, ' ');
  for (const [candidate] of text.matchAll(PHONE_CANDIDATE)) {
    if (isPhoneNumber(candidate)) return true;
  }
  return false;
};

export interface FlagSelection {
  readonly containsLink: boolean;
  readonly containsPhoneNumber: boolean;
  readonly containsEmail: boolean;
}

/**
 * The selected flags, each `true` or `false`, in `FLAG_NAMES` order; flags
 * that are not selected are absent (not computed, rather than "not found").
 */
export const detectFlags = (normalised: string | undefined, selection: FlagSelection): Flags => {
  const flags: Flags = {};
  if (selection.containsLink) flags.contains_link = normalised !== undefined && containsLink(normalised);
  if (selection.containsPhoneNumber)
    flags.contains_phone_number = normalised !== undefined && containsPhoneNumber(normalised);
  if (selection.containsEmail) flags.contains_email = normalised !== undefined && containsEmail(normalised);
  return flags;
};
