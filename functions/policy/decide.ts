import type { BeforeMessagePayload } from './message-schema.ts';
import type { CompiledPolicy, CompiledWordRules } from './policy-schema.ts';
import { type Flags, detectFlags } from './text-flags.ts';
import { WORD_CHARACTER, exceedsCodePoints, normaliseForMatching } from './text-normalise.ts';

/**
 * The before_message decision (SPEC §4): drop the message, let it through
 * with metadata injected, or let it through untouched. Pure: no I/O, no
 * clock, so the handler can answer well inside CometChat's budget.
 */

export type DropReason = 'blocked_sender' | 'too_long' | 'blocked_word' | 'blocked_pattern';

/** What the injected metadata holds (docs/policy.md). */
export interface InjectedMetadata {
  readonly flags: Flags;
  readonly policy_version: 1;
  readonly policy_revision?: string;
}

export type Decision =
  | {
      readonly kind: 'drop';
      readonly reason: DropReason;
      /** The rule that matched, as a path in the policy document (`blockedWords[3]`): safe to log, it holds no message text. */
      readonly rule: string;
    }
  | { readonly kind: 'inject'; readonly metadata: InjectedMetadata }
  | { readonly kind: 'pass' };

/** The body CometChat expects from a before_message webhook (seed 004). */
export type BeforeMessageAnswer =
  | Record<string, never>
  | { readonly action: 'do_not_propagate' }
  | { readonly '@injected': { readonly webhooks: Readonly<Record<string, InjectedMetadata>> } };

const PASS: Decision = Object.freeze({ kind: 'pass' });
const WORD_TOKEN = new RegExp(`${WORD_CHARACTER}+`, 'gu');

/**
 * Rules run cheapest first and the first that matches decides: sender (any
 * message), then, on text only, length, blocked words, blocked patterns. A
 * message that is not dropped gets the flags the policy selects.
 */
export const decide = (policy: CompiledPolicy, payload: BeforeMessagePayload): Decision => {
  const { document } = policy;
  const message = payload.data;

  if (policy.senders.size > 0) {
    // Both places the sender can appear: a payload where they disagree is not trusted to be the harmless one.
    for (const uid of [message.sender, message.data?.entities?.sender?.entity.uid]) {
      const index = uid === undefined ? undefined : policy.senders.get(uid.toLowerCase());
      if (index !== undefined) return drop('blocked_sender', `blockedSenders[${index}]`);
    }
  }

  const text = message.data?.text;
  if (text === undefined || text === '') return withFlags(policy, undefined);

  // Counted on the text as sent, so invisible padding counts and the check runs before any costly pass over a huge text.
  if (document.maxTextLength !== undefined && exceedsCodePoints(text, document.maxTextLength)) {
    return drop('too_long', 'maxTextLength');
  }

  const normalised = normaliseForMatching(text);

  const word = findBlockedWord(policy.words, normalised);
  if (word !== undefined) return drop('blocked_word', `blockedWords[${word}]`);

  for (const [index, pattern] of policy.patterns.entries()) {
    if (pattern.test(normalised)) return drop('blocked_pattern', `blockedPatterns[${index}]`);
  }

  return withFlags(policy, normalised);
};

/**
 * `decide`, failing open: if evaluating the policy throws, `onError` hears
 * about it and the message goes through untouched. A broken policy must not
 * silence a chat; CometChat's behaviour when the webhook errors is undocumented.
 */
export const decideSafely = (
  policy: CompiledPolicy,
  payload: BeforeMessagePayload,
  onError: (error: unknown) => void,
): Decision => {
  try {
    return decide(policy, payload);
  } catch (error) {
    try {
      onError(error);
    } catch {
      // Reporting failed too; the answer still has to go out, and fail-open is the contract.
    }
    return PASS;
  }
};

/** The JSON body answering CometChat, exactly as seed 004 shows it. */
export const toAnswer = (decision: Decision, webhookId: string): BeforeMessageAnswer => {
  switch (decision.kind) {
    case 'drop':
      return { action: 'do_not_propagate' };
    case 'inject':
      // A computed key always makes an own property, even for "__proto__".
      return { '@injected': { webhooks: { [webhookId]: decision.metadata } } };
    case 'pass':
      return {};
  }
};

const drop = (reason: DropReason, rule: string): Decision => ({ kind: 'drop', reason, rule });

const withFlags = (policy: CompiledPolicy, normalised: string | undefined): Decision => {
  const { document } = policy;
  const flags = detectFlags(normalised, document.flags);
  if (!document.injectWhenNoFlags && !Object.values(flags).some(Boolean)) return PASS;
  const metadata: InjectedMetadata =
    document.revision === undefined
      ? { flags, policy_version: document.version }
      : { flags, policy_version: document.version, policy_revision: document.revision };
  return { kind: 'inject', metadata };
};

/** Index in `blockedWords` of the first blocked word found in the text. */
const findBlockedWord = (words: CompiledWordRules, normalised: string): number | undefined => {
  for (const [word, index] of words.substrings) {
    if (normalised.includes(word)) return index;
  }
  if (words.tokens.size > 0) {
    for (const [token] of normalised.matchAll(WORD_TOKEN)) {
      const index = words.tokens.get(token);
      if (index !== undefined) return index;
    }
  }
  if (words.phrases !== undefined) {
    const match = words.phrases.exec(normalised);
    if (match !== null) {
      const group = match.findIndex((captured, position) => position > 0 && captured !== undefined);
      return words.phraseIndexes[group - 1] ?? words.phraseIndexes[0];
    }
  }
  return undefined;
};
