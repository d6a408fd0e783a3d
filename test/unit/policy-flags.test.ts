import { describe, expect, it } from 'vitest';
import {
  containsEmail,
  containsLink,
  containsPhoneNumber,
  detectFlags,
} from '../../functions/policy/text-flags.ts';
import { normaliseForMatching } from '../../functions/policy/text-normalise.ts';

// The flags always see normalised text; the tests go through the same step.
const link = (text: string) => containsLink(normaliseForMatching(text));
const email = (text: string) => containsEmail(normaliseForMatching(text));
const phone = (text: string) => containsPhoneNumber(normaliseForMatching(text));

describe('contains_link', () => {
  it.each([
    ['https URL', 'look https://example.com/a?b=c'],
    ['http URL in capitals', 'HTTP://EXAMPLE.ORG'],
    ['URL to an IP address', 'http://10.0.0.1:8080/'],
    ['www host without a known TLD', 'go to www.something'],
    ['bare .com domain', 'see example.com for details'],
    ['bare domain at the end of a sentence', 'It is on example.com.'],
    ['bare domain with a path', 'example.org/deck'],
    ['subdomain and country code', 'shop.example.co.uk'],
    ['spam TLD', 'claim at prize-now.xyz'],
    ['domain with digits and hyphens', 'my-site123.io'],
    ['fullwidth domain', 'ｅｘａｍｐｌｅ．ｃｏｍ'],
    ['domain with a zero-width space inside', 'exa\u200Bmple.com'],
    ['internationalised domain', 'münchen.de'],
    ['after an ellipsis', 'look...example.com'],
  ])('flags %s', (_name, text) => {
    expect(link(text)).toBe(true);
  });

  it.each([
    ['plain text', 'see you tomorrow'],
    ['e.g.', 'fruit, e.g. apples'],
    ['i.e.', 'that one, i.e. the red one'],
    ['a decimal', 'pi is 3.14'],
    ['a version number', 'upgrade to 2.4.1'],
    ['a file name with an unknown extension', 'open report.pdf and node.js'],
    ['an abbreviation', 'Mr.Smith is here'],
    ['a word inside a longer word', 'xhttps://'],
    ['an email address (its own flag)', 'write to bob@example.com'],
    ['an email address with subdomains', 'write to bob.smith@mail.example.com'],
    ['a time', 'at 10.30'],
    ['a TLD followed by letters', 'example.community'],
  ])('does not flag %s', (_name, text) => {
    expect(link(text)).toBe(false);
  });
});

describe('contains_email', () => {
  it.each([
    ['simple address', 'mail me: bob@example.com'],
    ['dots and plus in the local part', 'first.last+tag@sub.example.org'],
    ['capitals', 'BOB@EXAMPLE.COM'],
    ['fullwidth at sign', 'bob＠example.com'],
    ['zero-width space inside', 'bob@exa\u200Bmple.com'],
    ['mailto link', 'mailto:team@example.io'],
  ])('flags %s', (_name, text) => {
    expect(email(text)).toBe(true);
  });

  it.each([
    ['a mention', 'thanks @bob'],
    ['an at sign between words', 'meet @ noon'],
    ['no dot in the domain', 'bob@localhost'],
    ['one-letter TLD', 'bob@example.c'],
    ['a plain link', 'example.com'],
  ])('does not flag %s', (_name, text) => {
    expect(email(text)).toBe(false);
  });
});

describe('contains_phone_number', () => {
  it.each([
    ['international with spaces', 'call +44 20 7946 0958'],
    ['US with parentheses and dash', '(555) 123-4567'],
    ['leading plus and parentheses', '+1 (555) 123-4567'],
    ['digits only', 'my number is 5551234567'],
    ['seven digits with a dash', 'call 555-1234'],
    ['dotted French number', '01.23.45.67.89'],
    ['fifteen digits', '+123456789012345'],
    ['fullwidth digits', '５５５１２３４５６７'],
    ['Arabic-Indic digits', '٠١٢٣٤٥٦٧٨٩'],
    ['spaced-out digits', '5 5 5 1 2 3 4'],
    ['next to a date', 'on 2024-01-01 call 555 123 4567'],
  ])('flags %s', (_name, text) => {
    expect(phone(text)).toBe(true);
  });

  it.each([
    ['a short number', 'room 1234'],
    ['six digits', '123-456'],
    ['an ISO date', 'due 2024-01-01'],
    ['a European date', 'due 31.12.2024'],
    ['a date then a small number', 'on 2024-01-01 15 people came'],
    ['a year range', 'from 2019-2024'],
    ['a spaced year range', 'from 2019 - 2024'],
    ['an IPv4 address', 'server 192.168.100.200'],
    ['a decimal', 'pi is 3.14159265'],
    ['an amount in thousands', 'costs 1 500 000 or 12.345.678'],
    ['an amount with a currency sign', 'costs $1500000'],
    ['an order number', 'order #12345678'],
    ['sixteen digits (a card, not a phone)', '1234567890123456'],
    ['digits glued to letters', 'user1234567 or 1234567abc'],
    ['a percentage', '1234567%'],
    ['a URL path', 'example.com/1234567'],
  ])('does not flag %s', (_name, text) => {
    expect(phone(text)).toBe(false);
  });
});

describe('detectFlags', () => {
  const text = normaliseForMatching('see example.com or call +1 555 123 4567');

  it('computes only the selected flags, in a stable order', () => {
    // Act
    const flags = detectFlags(text, { containsLink: true, containsPhoneNumber: true, containsEmail: true });

    // Assess
    expect(JSON.stringify(flags)).toBe('{"contains_link":true,"contains_phone_number":true,"contains_email":false}');
  });

  it('leaves out flags that are not selected', () => {
    const flags = detectFlags(text, { containsLink: false, containsPhoneNumber: true, containsEmail: false });
    expect(flags).toEqual({ contains_phone_number: true });
  });

  it('reports every selected flag false when there is no text', () => {
    const flags = detectFlags(undefined, { containsLink: true, containsPhoneNumber: false, containsEmail: true });
    expect(flags).toEqual({ contains_link: false, contains_email: false });
  });
});

describe('flag expressions stay linear on adversarial input', () => {
  // Each would take seconds with a backtracking-prone expression; generous bound for slow CI machines.
  it.each([
    ['dotted labels', 'a.'.repeat(50_000)],
    ['one long label', 'a'.repeat(100_000)],
    ['hyphenated labels', 'a-'.repeat(50_000)],
    ['spaced digits', '1 '.repeat(50_000)],
    ['dotted digits', '1.'.repeat(50_000)],
    ['at signs', 'a@'.repeat(50_000)],
    ['an address with endless labels', `x@${'a.'.repeat(50_000)}`],
    ['digits then a letter', `${'1'.repeat(100_000)}a`],
    ['parenthesised digits', '(1)'.repeat(30_000)],
    ['dashed digits then a letter', `${'1-'.repeat(50_000)}x`],
  ])('%s', (_name, text) => {
    // Act
    const started = performance.now();
    containsLink(text);
    containsEmail(text);
    containsPhoneNumber(text);
    const elapsed = performance.now() - started;

    // Assess: these take 1 to 21 ms here; a backtracking expression takes seconds. The bound sits 50 times
    // above the first, so that a busy machine does not reach it, and still below the second.
    expect(elapsed).toBeLessThan(1_000);
  });
});
