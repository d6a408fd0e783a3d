import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { type Decision, decide, decideSafely, toAnswer } from '../../functions/policy/decide.ts';
import { type BeforeMessagePayload, BeforeMessagePayloadSchema } from '../../functions/policy/message-schema.ts';
import { type CompiledPolicy, DEFAULT_POLICY, parsePolicy } from '../../functions/policy/policy-schema.ts';

const fixture = (name: string): BeforeMessagePayload =>
  BeforeMessagePayloadSchema.parse(
    JSON.parse(readFileSync(new URL(`../fixtures/policy/${name}.json`, import.meta.url), 'utf8')),
  );

/** The one-on-one text fixture with another text. */
const textMessage = (text: string): BeforeMessagePayload => {
  const payload = fixture('before-message-text-user');
  return { ...payload, data: { ...payload.data, data: { ...payload.data.data, text } } };
};

const WORDS_POLICY = parsePolicy({
  version: 1,
  blockedWords: ['badword', 'other phrase', 'плохой', 'κακός', 'c++', '坏蛋', 'ばか', 'o\'reilly'],
});

const dropped = (policy: CompiledPolicy, text: string): string | undefined => {
  const decision = decide(policy, textMessage(text));
  return decision.kind === 'drop' ? `${decision.reason} ${decision.rule}` : undefined;
};

describe('blocked words: whole word, case- and accent-insensitive', () => {
  it.each([
    ['exact', 'badword'],
    ['in a sentence', 'you are a badword indeed'],
    ['at the start', 'badword!'],
    ['at the end', 'that is a badword'],
    ['mixed case', 'BaDwOrD'],
    ['surrounded by punctuation', '(badword), "badword".'],
    ['before an apostrophe', "badword's fault"],
    ['hyphenated', 'super-badword'],
    ['fullwidth', 'ｂａｄｗｏｒｄ'],
    ['fullwidth capitals', 'ＢＡＤＷＯＲＤ'],
    ['accented', 'bádwörd'],
    ['decomposed accents', 'ba\u0301dwo\u0308rd'],
    ['zero-width space inside', 'bad\u200Bword'],
    ['soft hyphen inside', 'bad\u00ADword'],
    ['zero-width joiner inside', 'b\u200Dadword'],
    ['mathematical bold', '𝐛𝐚𝐝𝐰𝐨𝐫𝐝'],
    ['next to emoji', '🤬badword🤬'],
    ['on its own line', 'hello\nbadword\nbye'],
  ])('drops %s', (_name, text) => {
    expect(dropped(WORDS_POLICY, text)).toBe('blocked_word blockedWords[0]');
  });

  it.each([
    ['inside a longer word', 'badwords'],
    ['as a suffix', 'notbadword'],
    ['joined by an underscore', 'badword_2'],
    ['joined by a digit', 'badword2'],
    ['split by a space', 'bad word'],
    ['with a Cyrillic look-alike (documented limitation)', 'bаdword'],
  ])('lets through %s', (_name, text) => {
    expect(dropped(WORDS_POLICY, text)).toBeUndefined();
  });

  it.each([
    ['phrase', 'this is the other phrase', 'blockedWords[1]'],
    ['phrase across several spaces', 'OTHER    PHRASE', 'blockedWords[1]'],
    ['phrase across a line break', 'other\nphrase', 'blockedWords[1]'],
    ['phrase across a non-breaking space', 'other\u00A0phrase', 'blockedWords[1]'],
    ['Cyrillic word', 'ПЛОХОЙ день', 'blockedWords[2]'],
    ['Cyrillic й folds to и like any accent (documented trade-off)', 'плохои', 'blockedWords[2]'],
    ['Greek word with and without accent', 'ΚΑΚΟΣ άνθρωπος', 'blockedWords[3]'],
    ['Greek word with final sigma', 'κακος', 'blockedWords[3]'],
    ['word with punctuation', 'I write c++ daily', 'blockedWords[4]'],
    ['Chinese word inside a sentence (no spaces in Chinese)', '你是坏蛋吗', 'blockedWords[5]'],
    ['Japanese word inside a sentence', 'おまえはばかだ', 'blockedWords[6]'],
    ['halfwidth katakana would not be the hiragana word', 'ﾊﾞｶ', undefined],
    ['the same kana without voicing marks is another word', 'はか', undefined],
    ['word with an apostrophe', "O'Reilly books", 'blockedWords[7]'],
    ['phrase inside longer words', 'another phrases', undefined],
    ['Cyrillic word inside a longer word', 'плохойный', undefined],
    ['c++ glued to a letter', 'c++x', undefined],
  ])('%s', (_name, text, rule) => {
    expect(dropped(WORDS_POLICY, text)).toBe(rule === undefined ? undefined : `blocked_word ${rule}`);
  });

  it('matches with a large word list (token set, not one regex per word)', () => {
    const words = Array.from({ length: 5000 }, (_, index) => `word${index}`);
    const policy = parsePolicy({ version: 1, blockedWords: words });
    expect(dropped(policy, 'hello WORD4321 there')).toBe('blocked_word blockedWords[4321]');
    expect(dropped(policy, 'hello word43210 there')).toBeUndefined();
  });
});

describe('blocked patterns', () => {
  const policy = parsePolicy({
    version: 1,
    blockedPatterns: [String.raw`\bfree\s+money\b`, String.raw`cr[y1]pto\s*g[i1]veaway`, String.raw`^\d+$`],
  });

  it.each([
    ['first pattern', 'get FREE money now', 'blockedPatterns[0]'],
    ['across whitespace runs', 'free \n\t money', 'blockedPatterns[0]'],
    ['against normalised text (fullwidth)', 'ｆｒｅｅ ｍｏｎｅｙ', 'blockedPatterns[0]'],
    ['against normalised text (zero-width)', 'fr\u200Bee mo\u200Bney', 'blockedPatterns[0]'],
    ['against normalised text (accents)', 'frée mónéy', 'blockedPatterns[0]'],
    ['second pattern, leetspeak variant', 'Cr1pto G1veaway!!', 'blockedPatterns[1]'],
    ['anchored pattern', '12345', 'blockedPatterns[2]'],
    ['no match', 'freedom money', undefined],
    ['anchored pattern does not match inside', 'code 12345 ok', undefined],
  ])('%s', (_name, text, rule) => {
    expect(dropped(policy, text)).toBe(rule === undefined ? undefined : `blocked_pattern ${rule}`);
  });

  it('blocked words are checked before patterns', () => {
    const both = parsePolicy({ version: 1, blockedWords: ['spam'], blockedPatterns: ['spam'] });
    expect(dropped(both, 'spam')).toBe('blocked_word blockedWords[0]');
  });
});

describe('blocked senders', () => {
  const policy = parsePolicy({ version: 1, blockedSenders: ['cometchat-uid-9', 'Cometchat-UID-4'] });

  it('drops a text message from a blocked sender', () => {
    const payload = textMessage('hello');
    const decision = decide(policy, { ...payload, data: { ...payload.data, sender: 'cometchat-uid-9' } });
    expect(decision).toEqual({ kind: 'drop', reason: 'blocked_sender', rule: 'blockedSenders[0]' });
  });

  it('drops a message with no text (image) from a blocked sender, whatever the case of the uid', () => {
    expect(decide(policy, fixture('before-message-image'))).toEqual({
      kind: 'drop',
      reason: 'blocked_sender',
      rule: 'blockedSenders[1]',
    });
  });

  it('uses the sender entity when sender is missing', () => {
    const payload = fixture('before-message-image');
    const { sender: _sender, ...message } = payload.data;
    expect(decide(policy, { ...payload, data: message }).kind).toBe('drop');
  });

  it('drops when only the sender entity is blocked (the two disagree)', () => {
    const payload = fixture('before-message-image');
    expect(decide(policy, { ...payload, data: { ...payload.data, sender: 'someone-else' } }).kind).toBe('drop');
  });

  it('lets other senders through', () => {
    expect(decide(policy, fixture('before-message-text-user'))).toEqual({ kind: 'pass' });
  });
});

describe('maximum length', () => {
  const policy = parsePolicy({ version: 1, maxTextLength: 5 });

  it.each([
    ['at the limit', 'abcde', undefined],
    ['over the limit', 'abcdef', 'too_long maxTextLength'],
    ['emoji count once each', '🙂🙂🙂🙂🙂', undefined],
    ['one emoji too many', '🙂🙂🙂🙂🙂🙂', 'too_long maxTextLength'],
    ['zero-width padding counts (it is stored and sent)', 'ab\u200B\u200B\u200Bc', 'too_long maxTextLength'],
    ['a fullwidth letter counts once, as sent', 'ａｂｃｄｅ', undefined],
    ['a character NFKC expands counts once, as sent', '\uFDFA', undefined],
  ])('%s', (_name, text, expected) => {
    expect(dropped(policy, text)).toBe(expected);
  });

  it('does not apply to messages without text', () => {
    expect(decide(parsePolicy({ version: 1, maxTextLength: 1 }), fixture('before-message-image'))).toEqual({ kind: 'pass' });
  });

  it('is checked before blocked words and patterns', () => {
    const both = parsePolicy({ version: 1, maxTextLength: 3, blockedWords: ['spam'] });
    expect(dropped(both, 'spam')).toBe('too_long maxTextLength');
  });
});

describe('flags and injection', () => {
  const ALL_FLAGS = { containsLink: true, containsPhoneNumber: true, containsEmail: true };

  it('injects the flags found, every selected flag present, with the policy version', () => {
    // Prepare
    const policy = parsePolicy({ version: 1, flags: ALL_FLAGS });

    // Act
    const decision = decide(policy, fixture('before-message-text-group'));

    // Assess
    expect(decision).toEqual({
      kind: 'inject',
      metadata: {
        flags: { contains_link: true, contains_phone_number: false, contains_email: true },
        policy_version: 1,
      },
    });
  });

  it('adds the revision when the policy has one', () => {
    const policy = parsePolicy({ version: 1, revision: 'r42', flags: { containsLink: true } });
    expect(decide(policy, textMessage('see example.com'))).toEqual({
      kind: 'inject',
      metadata: { flags: { contains_link: true }, policy_version: 1, policy_revision: 'r42' },
    });
  });

  it('passes when no selected flag is set', () => {
    const policy = parsePolicy({ version: 1, flags: ALL_FLAGS });
    expect(decide(policy, fixture('before-message-text-user'))).toEqual({ kind: 'pass' });
  });

  it('injects all-false flags when injectWhenNoFlags is on', () => {
    const policy = parsePolicy({ version: 1, flags: { containsEmail: true }, injectWhenNoFlags: true });
    expect(decide(policy, fixture('before-message-text-user'))).toEqual({
      kind: 'inject',
      metadata: { flags: { contains_email: false }, policy_version: 1 },
    });
  });

  it('a message without text gets all-false flags, injected only when injectWhenNoFlags is on', () => {
    const quiet = parsePolicy({ version: 1, flags: ALL_FLAGS });
    const stamping = parsePolicy({ version: 1, flags: ALL_FLAGS, injectWhenNoFlags: true });
    expect(decide(quiet, fixture('before-message-image'))).toEqual({ kind: 'pass' });
    expect(decide(stamping, fixture('before-message-image'))).toEqual({
      kind: 'inject',
      metadata: { flags: { contains_link: false, contains_phone_number: false, contains_email: false }, policy_version: 1 },
    });
  });

  it('never computes flags for a dropped message', () => {
    const policy = parsePolicy({ version: 1, blockedWords: ['spam'], flags: ALL_FLAGS });
    expect(decide(policy, textMessage('spam at example.com')).kind).toBe('drop');
  });

  it('the default policy lets every fixture through untouched', () => {
    for (const name of ['before-message-text-user', 'before-message-text-group', 'before-message-image']) {
      expect(decide(DEFAULT_POLICY, fixture(name))).toEqual({ kind: 'pass' });
    }
  });

  it('treats an empty text as no text', () => {
    const policy = parsePolicy({ version: 1, blockedPatterns: ['^\\s+$'], flags: ALL_FLAGS });
    expect(decide(policy, textMessage(''))).toEqual({ kind: 'pass' });
    expect(decide(policy, textMessage('  '))).toEqual({ kind: 'drop', reason: 'blocked_pattern', rule: 'blockedPatterns[0]' });
  });
});

describe('answers are byte-for-byte what CometChat expects', () => {
  it.each<[string, Decision, string, string]>([
    ['pass', { kind: 'pass' }, 'moderation-webhook', '{}'],
    [
      'drop',
      { kind: 'drop', reason: 'blocked_word', rule: 'blockedWords[0]' },
      'moderation-webhook',
      '{"action":"do_not_propagate"}',
    ],
    [
      'inject',
      { kind: 'inject', metadata: { flags: { contains_link: true, contains_email: false }, policy_version: 1 } },
      'moderation-webhook',
      '{"@injected":{"webhooks":{"moderation-webhook":{"flags":{"contains_link":true,"contains_email":false},"policy_version":1}}}}',
    ],
    [
      'inject with a revision',
      { kind: 'inject', metadata: { flags: {}, policy_version: 1, policy_revision: '2025-06-01' } },
      'w1',
      '{"@injected":{"webhooks":{"w1":{"flags":{},"policy_version":1,"policy_revision":"2025-06-01"}}}}',
    ],
    [
      'inject under a webhook id that is an Object.prototype key',
      { kind: 'inject', metadata: { flags: { contains_link: true }, policy_version: 1 } },
      '__proto__',
      '{"@injected":{"webhooks":{"__proto__":{"flags":{"contains_link":true},"policy_version":1}}}}',
    ],
  ])('%s', (_name, decision, webhookId, expected) => {
    expect(JSON.stringify(toAnswer(decision, webhookId))).toBe(expected);
  });

  it('end to end: the group fixture with flags on answers under its own webhook id', () => {
    // Prepare
    const payload = fixture('before-message-text-group');
    const policy = parsePolicy({ version: 1, flags: { containsLink: true, containsEmail: true } });

    // Act
    const answer = JSON.stringify(toAnswer(decide(policy, payload), payload.webhook));

    // Assess
    expect(answer).toBe(
      '{"@injected":{"webhooks":{"moderation-webhook":{"flags":{"contains_link":true,"contains_email":true},"policy_version":1}}}}',
    );
  });
});

describe('decideSafely fails open', () => {
  const throwingPattern = {
    test: () => {
      throw new Error('pattern exploded');
    },
  } as unknown as RegExp;
  const brokenPolicy: CompiledPolicy = { ...parsePolicy({ version: 1 }), patterns: [throwingPattern] };

  it('passes and reports when evaluation throws', () => {
    // Prepare
    const onError = vi.fn();

    // Act
    const decision = decideSafely(brokenPolicy, textMessage('hello'), onError);

    // Assess
    expect(decision).toEqual({ kind: 'pass' });
    expect(JSON.stringify(toAnswer(decision, 'w'))).toBe('{}');
    expect(onError).toHaveBeenCalledTimes(1);
    expect(onError.mock.calls[0]?.[0]).toEqual(new Error('pattern exploded'));
  });

  it('passes when the payload is not what the schema promised', () => {
    const onError = vi.fn();
    const policy = parsePolicy({ version: 1, blockedSenders: ['x'] });
    const decision = decideSafely(policy, { data: null } as unknown as BeforeMessagePayload, onError);
    expect(decision).toEqual({ kind: 'pass' });
    expect(onError).toHaveBeenCalledWith(expect.any(TypeError));
  });

  it('still passes when onError itself throws', () => {
    const decision = decideSafely(brokenPolicy, textMessage('hello'), () => {
      throw new Error('logger down');
    });
    expect(decision).toEqual({ kind: 'pass' });
  });

  it('returns the real decision and stays quiet when nothing throws', () => {
    const onError = vi.fn();
    const policy = parsePolicy({ version: 1, blockedWords: ['spam'] });
    expect(decideSafely(policy, textMessage('spam'), onError).kind).toBe('drop');
    expect(onError).not.toHaveBeenCalled();
  });
});

describe('performance', () => {
  it('decides a typical message in microseconds, not milliseconds', () => {
    // Prepare: a realistic policy with a long word list and every flag on.
    const policy = parsePolicy({
      version: 1,
      blockedWords: [...Array.from({ length: 2000 }, (_, index) => `word${index}`), 'free money', 'other phrase'],
      blockedPatterns: [String.raw`\bfree\s+money\b`, String.raw`cr[y1]pto\s*g[i1]veaway`],
      blockedSenders: ['spammer'],
      maxTextLength: 4000,
      flags: { containsLink: true, containsPhoneNumber: true, containsEmail: true },
    });
    const payload = textMessage('Ça va? On se voit demain à 19h, appelle-moi au +33 6 12 34 56 78 ou écris à léa@example.fr 🙂');
    for (let warmUp = 0; warmUp < 1000; warmUp += 1) decide(policy, payload);

    // Act
    const runs = 5000;
    const started = performance.now();
    for (let run = 0; run < runs; run += 1) decide(policy, payload);
    const perDecisionMs = (performance.now() - started) / runs;

    // Assess: about 10 µs on a laptop; the bound leaves room for slow CI machines.
    expect(perDecisionMs).toBeLessThan(0.5);
  });
});
