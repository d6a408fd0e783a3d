import { describe, expect, it } from 'vitest';
// The console's own browser module, imported as it is served.
import { smsSegments } from '../../lib/local/console/sms-segments.js';

describe('smsSegments (the console SMS bubble)', () => {
  it('counts GSM-7 texts in 160 septets, then 153 per segment', () => {
    expect(smsSegments('Hello!')).toEqual({ encoding: 'GSM-7', characters: 6, units: 6, segments: 1, perSegment: 160 });
    expect(smsSegments('a'.repeat(160)).segments).toBe(1);
    expect(smsSegments('a'.repeat(161))).toMatchObject({ segments: 2, perSegment: 153 });
    expect(smsSegments('a'.repeat(306)).segments).toBe(2);
    expect(smsSegments('a'.repeat(307)).segments).toBe(3);
  });

  it('counts extension characters (€, braces) as two septets', () => {
    expect(smsSegments('€'.repeat(80))).toMatchObject({ encoding: 'GSM-7', characters: 80, units: 160, segments: 1 });
    expect(smsSegments(`${'€'.repeat(80)}a`)).toMatchObject({ units: 161, segments: 2 });
  });

  it('switches to UCS-2 for any other character: 70 units, then 67', () => {
    expect(smsSegments('Привет')).toMatchObject({ encoding: 'UCS-2', units: 6, segments: 1, perSegment: 70 });
    expect(smsSegments(`${'a'.repeat(70)}`).encoding).toBe('GSM-7');
    expect(smsSegments(`${'a'.repeat(69)}ç`)).toMatchObject({ encoding: 'UCS-2', units: 70, segments: 1 });
    expect(smsSegments(`${'a'.repeat(70)}ç`)).toMatchObject({ units: 71, segments: 2, perSegment: 67 });
    // An emoji is two UTF-16 units.
    expect(smsSegments('👋')).toMatchObject({ characters: 1, units: 2 });
  });
});
