import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { closestKey } from '../shared/closest-key.ts';
import {
  UNSPACED_SCRIPT_WORD,
  WORD_CHARACTER,
  charactersChangedByNormalisation,
  escapeRegExp,
  normaliseForMatching,
} from './text-normalise.ts';

/**
 * The before_message policy document (docs/policy.md). Strict on purpose: it
 * is written by hand, and a misspelt key (`blockedWord`) silently ignored
 * would let through everything the operator meant to block.
 */

/** Flags for blocked patterns: case-insensitive, and Unicode-aware (`\p{L}`, code points, not UTF-16 units). */
export const PATTERN_FLAGS = 'iu';

/** Flags the policy can compute, as they are spelt in the policy document. */
const FlagsSchema = z.strictObject({
  containsLink: z.boolean().default(false),
  containsPhoneNumber: z.boolean().default(false),
  containsEmail: z.boolean().default(false),
});

const BlockedWordSchema = z
  .string()
  .max(200, 'is longer than 200 characters: use blockedPatterns for long rules')
  .superRefine((word, ctx) => {
    if (normaliseForMatching(word).trim() === '') {
      ctx.addIssue({
        code: 'custom',
        message: 'is empty once normalised (only spaces, zero-width or combining characters): it would match nothing',
      });
    }
  });

const BlockedPatternSchema = z
  .string()
  .min(1, 'is empty: an empty pattern would match every message')
  .max(1000, 'is longer than 1000 characters')
  .superRefine((source, ctx) => {
    if (source === '') return; // already reported by min(1)
    let pattern: RegExp;
    try {
      pattern = new RegExp(source, PATTERN_FLAGS);
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        message: `is not a valid regular expression with flags "${PATTERN_FLAGS}": ${(error as Error).message}`,
      });
      return;
    }
    if (pattern.test('')) {
      ctx.addIssue({ code: 'custom', message: 'matches the empty string, so it would drop every text message' });
    }
    const changed = charactersChangedByNormalisation(source);
    if (changed.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `contains ${changed
          .slice(0, 5)
          .map(
            ({ character, becomes }) =>
              `${describeCharacter(character)} (normalised text has ${becomes === '' ? 'nothing' : `"${becomes}"`})`,
          )
          .join(', ')}: patterns see normalised text, so write them without accents, fullwidth or invisible characters`,
      });
    }
  });

const UidSchema = z
  .string()
  .min(1, 'is empty')
  .refine((uid) => uid.trim() === uid, 'has leading or trailing spaces: CometChat uids have none');

export const PolicyDocumentSchema = z.strictObject({
  version: z.literal(1, {
    error: (issue) =>
      issue.input === undefined ? 'is required: set "version": 1' : 'must be 1, the only policy format this relay reads',
  }),
  /** Free text for the people who edit the file (JSON has no comments). Not used. */
  description: z.string().optional(),
  /** A label for this revision of the policy (a date, a ticket), injected as `policy_revision` so apps can tell which rules ran. */
  revision: z.string().min(1).max(64).optional(),
  blockedWords: z.array(BlockedWordSchema).default([]),
  blockedPatterns: z.array(BlockedPatternSchema).default([]),
  blockedSenders: z.array(UidSchema).default([]),
  /** Maximum text length in code points, counted on the text as sent (docs/policy.md says why). */
  maxTextLength: z
    .int({ error: 'must be a whole number of code points' })
    .min(1, 'must be at least 1')
    .max(1_000_000, 'must be at most 1000000')
    .optional(),
  flags: FlagsSchema.prefault({}),
  injectWhenNoFlags: z.boolean().default(false),
});

/** What an operator writes. */
export type PolicyDocumentInput = z.input<typeof PolicyDocumentSchema>;
/** The document after validation, with defaults filled in (what `CompiledPolicy.document` holds). */
export type PolicyDocument = z.output<typeof PolicyDocumentSchema>;
export type PolicyFlagSelection = PolicyDocument['flags'];

export interface CompiledWordRules {
  /** Blocked words that are one word token (the common case): looked up per token in a set, whatever the list size. */
  readonly tokens: ReadonlyMap<string, number>;
  /** Phrases and words holding punctuation: one whole-word regular expression, capture group n + 1 is `phraseIndexes[n]`. */
  readonly phrases: RegExp | undefined;
  readonly phraseIndexes: readonly number[];
  /** Words in scripts written without spaces (Chinese, Japanese, Thai...): matched anywhere. */
  readonly substrings: ReadonlyArray<readonly [word: string, index: number]>;
}

/** A policy ready to evaluate: everything that can be computed once is. */
export interface CompiledPolicy {
  readonly document: PolicyDocument;
  readonly words: CompiledWordRules;
  readonly patterns: readonly RegExp[];
  /** Lower-cased uid → index in `blockedSenders`: CometChat lower-cases uids when it creates users. */
  readonly senders: ReadonlyMap<string, number>;
  /** Suspicious but valid rules, for the operator to read at start and synth. */
  readonly warnings: readonly string[];
}

export interface PolicyIssue {
  /** Where in the document, such as `blockedPatterns[2]` or `flags.containsLink`; empty for the document itself. */
  readonly path: string;
  readonly message: string;
}

export class PolicyValidationError extends Error {
  override readonly name = 'PolicyValidationError';
  /** `origin` names the policy in the message: `Policy file ./policy.json`, `Policy in POLICY_JSON`. */
  constructor(
    readonly issues: readonly PolicyIssue[],
    readonly origin = 'Policy',
  ) {
    super(
      `${origin} is invalid (${issues.length} ${issues.length === 1 ? 'problem' : 'problems'}):\n${issues
        .map((issue) => `  - ${issue.path || '(document)'}: ${issue.message}`)
        .join('\n')}`,
    );
  }
}

/** The policy file could not be read at all (missing, unreadable). */
export class PolicyFileError extends Error {
  override readonly name = 'PolicyFileError';
  constructor(
    readonly path: string,
    options?: ErrorOptions,
  ) {
    super(`Cannot read policy file ${path}: ${(options?.cause as Error | undefined)?.message ?? 'unknown error'}`, options);
  }
}

/**
 * Validates a policy document and compiles it. Throws `PolicyValidationError`
 * listing every problem, each with its path, so one run shows all the fixes.
 * `origin` names the policy in that error (`Policy in POLICY_JSON`).
 */
export const parsePolicy = (json: unknown, origin?: string): CompiledPolicy => {
  const result = PolicyDocumentSchema.safeParse(json);
  if (!result.success) throw new PolicyValidationError(result.error.issues.flatMap(toPolicyIssues), origin);
  return compilePolicy(result.data);
};

/** Reads and compiles a policy file (local start, CDK synth). */
export const loadPolicyFile = (path: string): CompiledPolicy => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new PolicyFileError(path, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PolicyValidationError(
      [{ path: '', message: `is not valid JSON: ${(error as Error).message}` }],
      `Policy file ${path}`,
    );
  }
  return parsePolicy(json, `Policy file ${path}`);
};

const compilePolicy = (document: PolicyDocument): CompiledPolicy => ({
  document,
  words: compileWords(document.blockedWords),
  patterns: document.blockedPatterns.map((source) => new RegExp(source, PATTERN_FLAGS)),
  senders: firstIndexes(document.blockedSenders.map((uid) => uid.toLowerCase())),
  warnings: document.blockedPatterns.flatMap((source, index) =>
    hasNestedUnboundedQuantifier(source)
      ? [
          `blockedPatterns[${index}]: a repeated group holds a repetition, as in (a+)+; on long text it can backtrack for seconds. Rewrite it without nesting if you can, and set maxTextLength to bound the text it sees.`,
        ]
      : [],
  ),
});

const WHITESPACE_RUN = /\s+/u;
const SINGLE_TOKEN = new RegExp(`^${WORD_CHARACTER}+$`, 'u');

const compileWords = (words: readonly string[]): CompiledWordRules => {
  const tokens = new Map<string, number>();
  const substrings: Array<readonly [string, number]> = [];
  const phraseSources: string[] = [];
  const phraseIndexes: number[] = [];
  words.forEach((word, index) => {
    const normalised = normaliseForMatching(word).trim();
    if (UNSPACED_SCRIPT_WORD.test(normalised)) substrings.push([normalised, index]);
    else if (SINGLE_TOKEN.test(normalised)) {
      if (!tokens.has(normalised)) tokens.set(normalised, index);
    } else {
      // Any run of whitespace in the text matches a space in the phrase (line breaks, double spaces).
      phraseSources.push(`(${normalised.split(WHITESPACE_RUN).map(escapeRegExp).join(String.raw`\s+`)})`);
      phraseIndexes.push(index);
    }
  });
  const phrases =
    phraseSources.length === 0
      ? undefined
      : new RegExp(`(?<!${WORD_CHARACTER})(?:${phraseSources.join('|')})(?!${WORD_CHARACTER})`, 'u');
  return { tokens, phrases, phraseIndexes, substrings };
};

const firstIndexes = (values: readonly string[]): ReadonlyMap<string, number> => {
  const indexes = new Map<string, number>();
  values.forEach((value, index) => {
    if (!indexes.has(value)) indexes.set(value, index);
  });
  return indexes;
};

// ---------------------------------------------------------------------------
// Readable validation errors

const ALLOWED_KEYS: Readonly<Record<string, readonly string[]>> = {
  '': Object.keys(PolicyDocumentSchema.shape),
  flags: Object.keys(FlagsSchema.shape),
};

const formatPath = (path: readonly PropertyKey[]): string =>
  path.reduce<string>(
    (formatted, segment) =>
      typeof segment === 'number'
        ? `${formatted}[${segment}]`
        : formatted === ''
          ? String(segment)
          : `${formatted}.${String(segment)}`,
    '',
  );

const toPolicyIssues = (issue: z.core.$ZodIssue): PolicyIssue[] => {
  const path = formatPath(issue.path);
  if (issue.code !== 'unrecognized_keys') return [{ path, message: issue.message }];
  // One line per unknown key, with the likely intended key: typos are the usual cause.
  const allowed = ALLOWED_KEYS[path] ?? [];
  return issue.keys.map((key) => {
    const suggestion = closestKey(key, allowed);
    return {
      path: formatPath([...issue.path, key]),
      message: `is not a known key${suggestion ? `; did you mean "${suggestion}"?` : '.'}${allowed.length > 0 ? ` Known keys: ${allowed.join(', ')}.` : ''}`,
    };
  });
};

const describeCharacter = (character: string): string =>
  `${/\p{Cf}|\p{M}/u.test(character) ? '' : `"${character}" `}U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;

// ---------------------------------------------------------------------------
// Catastrophic backtracking heuristic

/**
 * Whether a pattern repeats a group that itself holds an unbounded repetition
 * (`(a+)+`, `(\w*\s?)*`): the classic shape of exponential backtracking. A
 * heuristic for a warning, not a proof either way. `source` is a valid pattern.
 */
export const hasNestedUnboundedQuantifier = (source: string): boolean => {
  // One entry per open group (the first is the whole pattern): does it hold an unbounded quantifier?
  const groups: boolean[] = [false];
  let index = 0;
  while (index < source.length) {
    const character = source[index];
    let atomEnd = index + 1;
    let atomRepeats = false;
    if (character === '\\') {
      const escaped = source[index + 1];
      const opener = source[index + 2];
      if ((escaped === 'p' || escaped === 'P' || escaped === 'u') && opener === '{') atomEnd = closing(source, '}', index);
      else if (escaped === 'k' && opener === '<') atomEnd = closing(source, '>', index);
      else atomEnd = index + 2;
    } else if (character === '[') {
      let cursor = index + 1;
      while (cursor < source.length && source[cursor] !== ']') cursor += source[cursor] === '\\' ? 2 : 1;
      atomEnd = cursor + 1;
    } else if (character === '(') {
      groups.push(false);
      index += 1;
      // Skip `?:`, `?=`, `?!`, `?<=`, `?<!` and `?<name>`: their `?` is not a quantifier.
      if (source[index] === '?') {
        const kind = source[index + 1];
        const lookbehind = kind === '<' && (source[index + 2] === '=' || source[index + 2] === '!');
        index = kind === '<' && !lookbehind ? closing(source, '>', index) : index + (lookbehind ? 3 : 2);
      }
      continue;
    } else if (character === ')') {
      atomRepeats = groups.length > 1 ? (groups.pop() ?? false) : false;
    }
    const quantifier = readQuantifier(source, atomEnd);
    if (quantifier?.unbounded && atomRepeats) return true;
    if (quantifier?.unbounded || atomRepeats) groups[groups.length - 1] = true;
    index = quantifier?.end ?? atomEnd;
  }
  return false;
};

const closing = (source: string, delimiter: string, from: number): number => {
  const at = source.indexOf(delimiter, from);
  return at === -1 ? source.length : at + 1;
};

const BRACES_QUANTIFIER = /^\{(\d+)(,(\d*))?\}/;

const readQuantifier = (source: string, at: number): { end: number; unbounded: boolean } | undefined => {
  const character = source[at];
  let end: number;
  let unbounded: boolean;
  if (character === '*' || character === '+') {
    end = at + 1;
    unbounded = true;
  } else if (character === '?') {
    end = at + 1;
    unbounded = false;
  } else if (character === '{') {
    const match = BRACES_QUANTIFIER.exec(source.slice(at));
    if (!match) return undefined;
    end = at + match[0].length;
    unbounded = match[2] !== undefined && match[3] === '';
  } else return undefined;
  // A lazy quantifier (`+?`) backtracks just the same.
  return { end: source[end] === '?' ? end + 1 : end, unbounded };
};

/** The policy when none is configured: everything goes through, nothing is computed. Last: it runs the code above. */
export const DEFAULT_POLICY: CompiledPolicy = parsePolicy({ version: 1 });
