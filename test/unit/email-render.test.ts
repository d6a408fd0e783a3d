import { describe, expect, it } from 'vitest';
import { cleanSubject, renderEmail, safeImageUrl } from '../../functions/delivery/email-render.ts';
import { escapeHtml } from '../../functions/delivery/escape-html.ts';
import { type EmailPayload, EmailPayloadSchema } from '../../functions/shared/schemas/email.ts';
import { seed } from '../fixtures/seeds.ts';

const email = (name: 'email-one-on-one' | 'email-group', mutate: (data: any) => void = () => {}): EmailPayload => {
  const payload = seed(name);
  mutate(payload.data);
  return EmailPayloadSchema.parse(payload);
};

const SCRIPT = '<script>alert(1)</script>';

/** Sets `value` at `path` inside `data` (nothing for an empty path). */
const setAt = (data: any, path: readonly (string | number)[], value: string): void => {
  const last = path.at(-1);
  if (last === undefined) return;
  const parent = path.slice(0, -1).reduce((node, key) => node[key], data);
  parent[last] = value;
};

describe('renderEmail', () => {
  it('one-on-one: subject, heading from the sender, every message with its sender, avatar kept', () => {
    const { subject, html, text } = renderEmail(email('email-one-on-one'), { appName: 'Acme Chat' });
    expect(subject).toBe('New messages from Susan Marie');
    expect(html).toContain('<title>New messages from Susan Marie</title>');
    expect(html).toMatch(/<h1[^>]*>Susan Marie<\/h1>/);
    expect(html).toContain('2 new messages</p>');
    expect(html).toContain('Are we meeting on this weekend?');
    expect(html).toContain('📷 Has shared an image');
    expect(html).toContain('<img src="https://assets.cometchat.io/sampleapp/v2/users/cometchat-uid-4.webp"');
    expect(html).toContain('Hi Andrew Joseph,');
    expect(html).toContain('unread messages in Acme Chat.');
    expect(text).toBe(
      [
        'Hi Andrew Joseph,',
        '',
        'Susan Marie',
        '2 new messages',
        '',
        'Susan Marie:',
        'Are we meeting on this weekend?',
        '',
        'Susan Marie:',
        '📷 Has shared an image',
        '',
        '--',
        'You are receiving this email because you have unread messages in Acme Chat.',
        '',
      ].join('\n'),
    );
  });

  it('group: heading and image from the group, each message under its own sender', () => {
    const { subject, html, text } = renderEmail(email('email-group'));
    expect(subject).toBe('New messages in Hiking Group');
    expect(html).toMatch(/<h1[^>]*>Hiking Group<\/h1>/);
    expect(html).toContain('2 new messages in this group');
    expect(html).toContain('<img src="https://assets.cometchat.io/sampleapp/v2/groups/cometchat-guid-1.webp"');
    expect(html).toMatch(/John Paul<\/p>\s*<p[^>]*>Hello all! What&#39;s up\?<\/p>/);
    expect(html).toMatch(/Susan Marie<\/p>\s*<p[^>]*>This is the place I was thinking about<\/p>/);
    expect(text).toContain('John Paul:\nHello all! What\'s up?\n\nSusan Marie:\nThis is the place I was thinking about\n');
    expect(text).toContain('You are receiving this email because you have unread messages.');
  });

  it('is a complete document without external resources other than the image', () => {
    const { html } = renderEmail(email('email-group'));
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<meta name="viewport"');
    expect(html).not.toMatch(/<link|<style|<script|@import|url\(/i);
    expect(html.match(/https?:\/\//g)).toEqual(['https://']);
  });

  it('falls back to uids when names are missing, and to one message in the singular', () => {
    const { html, text } = renderEmail(
      email('email-one-on-one', (data) => {
        delete data.senderDetails.name;
        delete data.to.name;
        data.messages = [{ sender: { uid: 'cometchat-uid-4' }, message: 'Hi' }];
      }),
    );
    expect(html).toMatch(/<h1[^>]*>cometchat-uid-4<\/h1>/);
    expect(html).toContain('1 new message</p>');
    expect(html).not.toContain('Hi ,');
    expect(text.startsWith('cometchat-uid-4\n1 new message\n\ncometchat-uid-4:\nHi\n')).toBe(true);
  });

  it('keeps line breaks of a message as <br>', () => {
    const { html } = renderEmail(email('email-group', (data) => (data.messages[0].message = 'line one\r\nline two\nline three')));
    expect(html).toContain('line one<br>line two<br>line three');
  });

  describe('escaping', () => {
    it.each([
      ['a message', ['messages', 0, 'message'], {}, 'text'],
      ['a sender name', ['messages', 1, 'sender', 'name'], {}, 'text'],
      ['the group name', ['groupDetails', 'name'], {}, 'text'],
      ['the subject', ['subject'], {}, 'subject'],
      ['the recipient name', ['to', 'name'], {}, 'text'],
      ['the app name', [], { appName: SCRIPT }, 'text'],
    ] as const)('never lets markup through from %s', (_name, path, options, alsoIn) => {
      const rendered = renderEmail(email('email-group', (data) => setAt(data, path, SCRIPT)), options);
      expect(rendered.html).not.toContain('<script');
      expect(rendered.html).not.toContain('</script');
      expect(rendered.html).toContain(escapeHtml(SCRIPT));
      // The subject header and the plain-text part are not HTML: they show the text as typed.
      expect(rendered[alsoIn]).toContain(SCRIPT);
    });

    it('escapes quotes, apostrophes and backticks so no attribute can be closed', () => {
      const hostile = `"'\`><img src=x onerror=alert(1)>`;
      const { html } = renderEmail(email('email-one-on-one', (data) => (data.senderDetails.name = hostile)));
      expect(html).not.toContain('<img src=x');
      expect(html).toContain('&quot;&#39;&#96;&gt;&lt;img src=x onerror=alert(1)&gt;');
    });

    it.each([
      ['javascript:', 'javascript:alert(1)'],
      ['JavaScript: in mixed case with spaces', ' JavaScript:alert(1)'],
      ['data:', 'data:image/svg+xml;base64,PHN2Zz48L3N2Zz4='],
      ['plain http:', 'http://assets.example.com/a.png'],
      ['credentials in the URL', 'https://user:secret@assets.example.com/a.png'],
      ['not a URL', 'not a url'],
    ])('drops an avatar that is %s', (_name, avatar) => {
      const { html } = renderEmail(email('email-one-on-one', (data) => (data.senderDetails.avatar = avatar)));
      expect(html).not.toContain('<img');
      expect(html.toLowerCase()).not.toContain('javascript:');
    });

    it('keeps an https avatar whose characters could break out of the attribute, encoded', () => {
      const { html } = renderEmail(email('email-one-on-one', (data) => (data.senderDetails.avatar = 'https://example.com/a"onerror="alert(1)\'.png')));
      expect(html).toContain('<img src="https://example.com/a%22onerror=%22alert(1)&#39;.png"');
      expect(html).not.toContain('"onerror="');
    });
  });

  describe('subject', () => {
    it.each([
      ['trimmed', '  New messages  ', 'New messages'],
      ['CR/LF cannot start another header', 'Hello\r\nBcc: victim@example.com', 'Hello Bcc: victim@example.com'],
      ['other line separators and control characters too', 'a\u2028b\u0085c\u0000d\te\u001bf\u007fg', 'a b c d e f g'],
      ['runs of white space collapse', 'a    b', 'a b'],
      ['capped at 200 characters', 'x'.repeat(300), `${'x'.repeat(199)}…`],
    ])('%s', (_name, raw, expected) => {
      expect(cleanSubject(raw)).toBe(expected);
      expect(renderEmail(email('email-one-on-one', (data) => (data.subject = raw))).subject).toBe(expected);
    });

    it('falls back when nothing printable is left', () => {
      expect(renderEmail(email('email-one-on-one', (data) => (data.subject = '\u0001\u0002'))).subject).toBe('New messages');
      expect(renderEmail(email('email-one-on-one', (data) => (data.subject = '\u0001')), { appName: 'Acme' }).subject).toBe('New messages in Acme');
    });
  });
});

describe('safeImageUrl', () => {
  it.each([
    ['https://assets.example.com/a.webp', 'https://assets.example.com/a.webp'],
    ['  https://assets.example.com/a b.webp ', 'https://assets.example.com/a%20b.webp'],
    ['HTTPS://Assets.Example.com/a.webp', 'https://assets.example.com/a.webp'],
    ['http://assets.example.com/a.webp', undefined],
    ['//assets.example.com/a.webp', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%s → %s', (raw, expected) => {
    expect(safeImageUrl(raw)).toBe(expected);
  });
});

describe('escapeHtml', () => {
  it('escapes the six characters that matter and nothing else', () => {
    expect(escapeHtml(`&<>"'\` é 😀`)).toBe('&amp;&lt;&gt;&quot;&#39;&#96; é 😀');
  });
});
