// How an SMS is split for the network (3GPP TS 23.038 / 23.040), as the console's SMS bubble counts
// it: GSM-7 when every character is in the GSM 03.38 alphabet (extension characters take two
// septets), UCS-2 otherwise. A single message holds 160 septets or 70 UTF-16 units; a concatenated
// one gives 7 septets (or 3 units) of each part to the header: 153 or 67 per segment.

const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENSION = '^{}\\[~]|€\f';

const basic = new Set(GSM_BASIC);
const extension = new Set(GSM_EXTENSION);

/**
 * @param {string} text
 * @returns {{ encoding: 'GSM-7' | 'UCS-2', characters: number, units: number, segments: number, perSegment: number }}
 */
export const smsSegments = (text) => {
  const characters = [...text].length;
  let septets = 0;
  let gsm = true;
  for (const character of text) {
    if (basic.has(character)) septets += 1;
    else if (extension.has(character)) septets += 2;
    else {
      gsm = false;
      break;
    }
  }
  if (gsm) {
    const perSegment = septets <= 160 ? 160 : 153;
    return { encoding: 'GSM-7', characters, units: septets, segments: septets === 0 ? 1 : Math.ceil(septets / perSegment), perSegment };
  }
  const units = text.length;
  const perSegment = units <= 70 ? 70 : 67;
  return { encoding: 'UCS-2', characters, units, segments: Math.ceil(units / perSegment), perSegment };
};
