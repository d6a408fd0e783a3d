import type { EmailPayload } from '../shared/schemas/email.ts';
import { escapeHtml } from './escape-html.ts';
import { truncateToGraphemes } from './push-payloads.ts';

export interface RenderedEmail {
  readonly subject: string;
  readonly html: string;
  readonly text: string;
}

export interface RenderEmailOptions {
  /** Named in the footer and in the fallback subject. */
  readonly appName?: string | undefined;
}

/** Long enough for any real subject; mail clients cut far earlier. */
export const SUBJECT_MAX_GRAPHEMES = 200;

/** Line breaks of every kind and other control characters: in a header they would start a new header. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const HEADER_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/**
 * The subject, HTML and plain-text bodies of a CometChat email notification. No template engine:
 * the markup is fixed and every user-supplied string (subject, names, message text, image URLs)
 * goes through `escapeHtml`; images are kept only for `https:` URLs.
 */
export const renderEmail = (payload: EmailPayload, options: RenderEmailOptions = {}): RenderedEmail => {
  const { data } = payload;
  const appName = options.appName?.trim() || undefined;
  const subject = cleanSubject(data.subject) || (appName ? `New messages in ${cleanSubject(appName)}` : 'New messages');

  const group = data.groupDetails;
  const sender = data.senderDetails;
  const heading = group ? group.name?.trim() || group.guid : sender ? sender.name?.trim() || sender.uid : subject;
  const image = safeImageUrl(group ? group.icon : sender?.avatar);
  const count = data.messages.length;
  const summary = `${count} new ${count === 1 ? 'message' : 'messages'}${group ? ' in this group' : ''}`;
  const greeting = data.to.name?.trim() ? `Hi ${data.to.name.trim()},` : undefined;
  const footer = appName
    ? `You are receiving this email because you have unread messages in ${appName}.`
    : 'You are receiving this email because you have unread messages.';
  const messages = data.messages.map((message) => ({
    sender: message.sender.name?.trim() || message.sender.uid,
    text: message.message,
  }));

  return {
    subject,
    html: renderHtml({ subject, heading, image, summary, greeting, footer, messages }),
    text: renderText({ heading, summary, greeting, footer, messages }),
  };
};

/** One line, no control characters, trimmed and capped: safe as an email header. */
export const cleanSubject = (raw: string): string =>
  truncateToGraphemes(raw.replace(HEADER_UNSAFE, ' ').replace(/\s+/g, ' ').trim(), SUBJECT_MAX_GRAPHEMES);

/** The URL when it is `https:` without credentials, normalised so quotes and brackets are percent-encoded; else undefined. */
export const safeImageUrl = (raw: string | undefined): string | undefined => {
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' || url.username !== '' || url.password !== '') return undefined;
  return url.href;
};

interface EmailContent {
  readonly heading: string;
  readonly summary: string;
  readonly greeting: string | undefined;
  readonly footer: string;
  readonly messages: ReadonlyArray<{ readonly sender: string; readonly text: string }>;
}

const FONT = "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";

/** Escaped, with line breaks kept as `<br>`. */
const htmlText = (text: string): string => escapeHtml(text.replace(/\r\n?/g, '\n')).replace(/\n/g, '<br>');

const renderHtml = ({
  subject,
  image,
  heading,
  summary,
  greeting,
  footer,
  messages,
}: EmailContent & { readonly subject: string; readonly image: string | undefined }): string => {
  const preview = messages[0] ? `${messages[0].sender}: ${messages[0].text}` : summary;
  const rows = messages
    .map(
      (message) => `<tr><td style="padding:12px 24px;border-top:1px solid #eaeef2;">
<p style="margin:0 0 4px 0;font-size:13px;line-height:18px;font-weight:600;color:#57606a;">${htmlText(message.sender)}</p>
<p style="margin:0;font-size:15px;line-height:22px;color:#1f2328;word-break:break-word;">${htmlText(message.text)}</p>
</td></tr>`,
    )
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light only">
<title>${escapeHtml(subject)}</title>
</head>
<body style="margin:0;padding:0;background-color:#f4f5f7;">
<div style="display:none;max-height:0;overflow:hidden;opacity:0;">${escapeHtml(truncateToGraphemes(preview.replace(/\s+/g, ' '), 120))}</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:#f4f5f7;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:560px;background-color:#ffffff;border-radius:8px;font-family:${FONT};color:#1f2328;">
<tr><td style="padding:24px 24px 12px 24px;">
${image ? `<img src="${escapeHtml(image)}" width="48" height="48" alt="" style="display:block;width:48px;height:48px;border:0;border-radius:24px;margin:0 0 12px 0;">\n` : ''}${greeting ? `<p style="margin:0 0 8px 0;font-size:15px;line-height:22px;">${htmlText(greeting)}</p>\n` : ''}<h1 style="margin:0 0 4px 0;font-size:20px;line-height:28px;font-weight:600;">${htmlText(heading)}</h1>
<p style="margin:0;font-size:14px;line-height:20px;color:#57606a;">${htmlText(summary)}</p>
</td></tr>
${rows}
<tr><td style="padding:16px 24px 24px 24px;border-top:1px solid #eaeef2;font-size:12px;line-height:18px;color:#8c959f;">${htmlText(footer)}</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`;
};

const renderText = ({ heading, summary, greeting, footer, messages }: EmailContent): string =>
  [
    ...(greeting ? [greeting, ''] : []),
    heading,
    summary,
    '',
    ...messages.flatMap((message) => [`${message.sender}:`, message.text.replace(/\r\n?/g, '\n'), '']),
    '--',
    footer,
    '',
  ].join('\n');
