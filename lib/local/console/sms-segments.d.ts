/** Types of the console's browser module sms-segments.js (plain JavaScript, served as is). */
export interface SmsSegments {
  readonly encoding: 'GSM-7' | 'UCS-2';
  /** Characters as a person counts them (code points). */
  readonly characters: number;
  /** Septets for GSM-7, UTF-16 units for UCS-2. */
  readonly units: number;
  readonly segments: number;
  readonly perSegment: number;
}

export declare const smsSegments: (text: string) => SmsSegments;
