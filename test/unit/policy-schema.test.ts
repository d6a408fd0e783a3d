import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_POLICY,
  PolicyDocumentSchema,
  PolicyFileError,
  PolicyValidationError,
  hasNestedUnboundedQuantifier,
  loadPolicyFile,
  parsePolicy,
} from '../../functions/policy/policy-schema.ts';

/** The issues `parsePolicy` reports, as `path: message` lines. */
const problems = (json: unknown): string[] => {
  try {
    parsePolicy(json);
  } catch (error) {
    if (error instanceof PolicyValidationError) return error.issues.map((issue) => `${issue.path}: ${issue.message}`);
    throw error;
  }
  return [];
};

describe('valid policies', () => {
  it('fills in defaults for a minimal document', () => {
    // Act
    const policy = parsePolicy({ version: 1 });

    // Assess
    expect(policy.document).toEqual({
      version: 1,
      blockedWords: [],
      blockedPatterns: [],
      blockedSenders: [],
      flags: { containsLink: false, containsPhoneNumber: false, containsEmail: false },
      injectWhenNoFlags: false,
    });
    expect(policy.warnings).toEqual([]);
  });

  it('the default policy blocks nothing and computes no flag', () => {
    expect(DEFAULT_POLICY.document.blockedWords).toEqual([]);
    expect(DEFAULT_POLICY.patterns).toEqual([]);
    expect(DEFAULT_POLICY.senders.size).toBe(0);
    expect(Object.values(DEFAULT_POLICY.document.flags)).toEqual([false, false, false]);
    expect(DEFAULT_POLICY.document.injectWhenNoFlags).toBe(false);
  });

  it('accepts policy.example.json at the repository root', () => {
    const policy = loadPolicyFile(new URL('../../policy.example.json', import.meta.url).pathname);
    expect(policy.document.version).toBe(1);
    expect(policy.warnings).toEqual([]);
  });

  it('compiles patterns once, case-insensitive and Unicode-aware', () => {
    const policy = parsePolicy({ version: 1, blockedPatterns: [String.raw`\bfree\s+money\b`, String.raw`\p{Lu}`] });
    expect(policy.patterns.map((pattern) => pattern.flags)).toEqual(['iu', 'iu']);
  });

  it('normalises blocked words at load: one-token words go to the token set', () => {
    const policy = parsePolicy({ version: 1, blockedWords: ['ＢÁＤ', 'b\u200Bad', 'other  phrase', '坏蛋'] });
    expect([...policy.words.tokens]).toEqual([['bad', 0]]);
    expect(policy.words.phraseIndexes).toEqual([2]);
    expect(policy.words.substrings).toEqual([['坏蛋', 3]]);
  });

  it('lower-cases blocked sender uids (CometChat lower-cases uids)', () => {
    const policy = parsePolicy({ version: 1, blockedSenders: ['Spammer-1', 'spammer-2'] });
    expect([...policy.senders]).toEqual([
      ['spammer-1', 0],
      ['spammer-2', 1],
    ]);
  });

  it('keeps description and revision', () => {
    const policy = parsePolicy({ version: 1, description: 'Community rules', revision: '2025-06-01' });
    expect(policy.document.revision).toBe('2025-06-01');
    expect(policy.document.description).toBe('Community rules');
  });

  it('warns about a pattern that can backtrack catastrophically', () => {
    const policy = parsePolicy({ version: 1, blockedPatterns: ['ok', '(a+)+b'] });
    expect(policy.warnings).toHaveLength(1);
    expect(policy.warnings[0]).toMatch(/^blockedPatterns\[1\]: /);
  });
});

describe('invalid policies name the path and the problem', () => {
  it.each([
    ['not an object', 'strict', [': Invalid input: expected object, received string']],
    ['no version', {}, ['version: is required: set "version": 1']],
    ['unsupported version', { version: 2 }, ['version: must be 1, the only policy format this relay reads']],
    ['version as a string', { version: '1' }, ['version: must be 1, the only policy format this relay reads']],
    [
      'misspelt top-level key',
      { version: 1, blockedWord: ['x'] },
      [expect.stringMatching(/^blockedWord: is not a known key; did you mean "blockedWords"\? Known keys: version, /)],
    ],
    [
      'misspelt flag',
      { version: 1, flags: { containsLinks: true } },
      [expect.stringMatching(/^flags\.containsLinks: is not a known key; did you mean "containsLink"\?/)],
    ],
    [
      'key in the wrong case',
      { version: 1, MaxTextLength: 10 },
      [expect.stringMatching(/^MaxTextLength: is not a known key; did you mean "maxTextLength"\?/)],
    ],
    [
      'unknown key with nothing close',
      { version: 1, somethingElse: true },
      [expect.stringMatching(/^somethingElse: is not a known key\. Known keys: /)],
    ],
    ['blockedWords not an array', { version: 1, blockedWords: 'bad' }, ['blockedWords: Invalid input: expected array, received string']],
    ['blocked word not a string', { version: 1, blockedWords: ['ok', 7] }, ['blockedWords[1]: Invalid input: expected string, received number']],
    [
      'blocked word that normalises to nothing',
      { version: 1, blockedWords: ['ok', '\u200B\u200B', '  '] },
      [expect.stringMatching(/^blockedWords\[1\]: is empty once normalised/), expect.stringMatching(/^blockedWords\[2\]: is empty once normalised/)],
    ],
    [
      'invalid regular expression',
      { version: 1, blockedPatterns: ['fine', '(unclosed'] },
      [expect.stringMatching(/^blockedPatterns\[1\]: is not a valid regular expression with flags "iu": .*Unterminated group/)],
    ],
    [
      'escape that is only invalid with the u flag',
      { version: 1, blockedPatterns: [String.raw`a\-b`] },
      [expect.stringMatching(/^blockedPatterns\[0\]: is not a valid regular expression/)],
    ],
    [
      'pattern matching the empty string',
      { version: 1, blockedPatterns: ['x*'] },
      ['blockedPatterns[0]: matches the empty string, so it would drop every text message'],
    ],
    ['empty pattern', { version: 1, blockedPatterns: [''] }, ['blockedPatterns[0]: is empty: an empty pattern would match every message']],
    [
      'pattern with an accent',
      { version: 1, blockedPatterns: ['café'] },
      [expect.stringMatching(/^blockedPatterns\[0\]: contains "é" U\+00E9 \(normalised text has "e"\): patterns see normalised text/)],
    ],
    [
      'pattern with a zero-width space',
      { version: 1, blockedPatterns: ['b\u200Bad'] },
      [expect.stringMatching(/^blockedPatterns\[0\]: contains U\+200B \(normalised text has nothing\)/)],
    ],
    ['sender with spaces', { version: 1, blockedSenders: [' uid-1'] }, ['blockedSenders[0]: has leading or trailing spaces: CometChat uids have none']],
    ['empty sender', { version: 1, blockedSenders: [''] }, ['blockedSenders[0]: is empty']],
    ['maxTextLength zero', { version: 1, maxTextLength: 0 }, ['maxTextLength: must be at least 1']],
    ['maxTextLength fractional', { version: 1, maxTextLength: 10.5 }, ['maxTextLength: must be a whole number of code points']],
    ['maxTextLength as a string', { version: 1, maxTextLength: '4000' }, ['maxTextLength: must be a whole number of code points']],
    ['flag not a boolean', { version: 1, flags: { containsLink: 'yes' } }, ['flags.containsLink: Invalid input: expected boolean, received string']],
    ['injectWhenNoFlags not a boolean', { version: 1, injectWhenNoFlags: 1 }, ['injectWhenNoFlags: Invalid input: expected boolean, received number']],
  ])('%s', (_name, json, expected) => {
    expect(problems(json)).toEqual(expected);
  });

  it('lists every problem at once, in a message a person can act on', () => {
    // Prepare
    const json = { version: 1, blockedPatterns: ['('], blockedSenders: [3], flgs: {} };

    // Act
    const error = (() => {
      try {
        parsePolicy(json, 'Policy file policy.json');
      } catch (caught) {
        return caught;
      }
    })();

    // Assess
    expect(error).toBeInstanceOf(PolicyValidationError);
    expect((error as Error).name).toBe('PolicyValidationError');
    const lines = (error as Error).message.split('\n');
    expect(lines[0]).toBe('Policy file policy.json is invalid (3 problems):');
    expect(lines.slice(1).map((line) => line.split(':')[0])).toEqual([
      '  - blockedPatterns[0]',
      '  - blockedSenders[0]',
      '  - flgs',
    ]);
  });

  it('the document schema itself rejects unknown keys (strict)', () => {
    expect(PolicyDocumentSchema.safeParse({ version: 1, extra: true }).success).toBe(false);
  });
});

describe('loadPolicyFile', () => {
  const directory = mkdtempSync(join(tmpdir(), 'policy-test-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('loads a valid file', () => {
    const path = join(directory, 'ok.json');
    writeFileSync(path, JSON.stringify({ version: 1, blockedWords: ['bad'] }));
    expect(loadPolicyFile(path).document.blockedWords).toEqual(['bad']);
  });

  it('reports a file that is not JSON, naming the file', () => {
    const path = join(directory, 'broken.json');
    writeFileSync(path, '{ "version": 1, // comment\n }');
    expect(() => loadPolicyFile(path)).toThrow(
      expect.objectContaining({
        name: 'PolicyValidationError',
        message: expect.stringContaining(`Policy file ${path} is invalid (1 problem):\n  - (document): is not valid JSON:`),
      }),
    );
  });

  it('reports a file that fails validation, naming the file', () => {
    const path = join(directory, 'invalid.json');
    writeFileSync(path, JSON.stringify({ version: 1, blockedPatterns: ['['] }));
    expect(() => loadPolicyFile(path)).toThrow(/^Policy file .*invalid\.json is invalid \(1 problem\):\n {2}- blockedPatterns\[0\]: /);
  });

  it('reports a missing file as PolicyFileError', () => {
    const path = join(directory, 'missing.json');
    expect(() => loadPolicyFile(path)).toThrow(PolicyFileError);
    expect(() => loadPolicyFile(path)).toThrow(`Cannot read policy file ${path}: ENOENT`);
  });

  it('docs/policy.md holds the same example as policy.example.json', () => {
    // The documented example is the tested one.
    const example = JSON.parse(readFileSync(new URL('../../policy.example.json', import.meta.url), 'utf8'));
    const docs = readFileSync(new URL('../../docs/policy.md', import.meta.url), 'utf8');
    const block = /```json policy\.example\.json\n([\s\S]*?)\n```/.exec(docs)?.[1];
    expect(block, 'docs/policy.md has a ```json policy.example.json block').toBeDefined();
    expect(JSON.parse(block ?? '')).toEqual(example);
  });
});

describe('hasNestedUnboundedQuantifier', () => {
  it.each([
    ['(a+)+', true],
    ['(a*)*b', true],
    [String.raw`(?:\s+\w+)+`, true],
    ['(a{2,})*', true],
    ['(?<word>a+)+', true],
    ['((a+))+', true],
    ['(a+?)+', true],
    ['a+b+', false],
    ['(a{2,3})*', false],
    ['(a+)?', false],
    ['(ab)+', false],
    ['[(a+)]+', false],
    [String.raw`\(a+\)+`, false],
    ['(?<=a+)b', false],
    [String.raw`\p{L}+`, false],
    [String.raw`\bfree\s+money\b`, false],
  ])('%s → %s', (source, expected) => {
    expect(hasNestedUnboundedQuantifier(source)).toBe(expected);
  });
});
