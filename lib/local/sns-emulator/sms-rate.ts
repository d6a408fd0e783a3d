import type { SendRateGate } from '../send-rate-gate.ts';
import { SnsEmulatorError } from './errors.ts';

/** SNS's answer to an SMS above the account's rate: the generic `Throttling` code, 400, "Rate exceeded". */
export class SmsThrottledError extends SnsEmulatorError {
  override name = 'SmsThrottledError';
  constructor() {
    super('Throttling', 400, 'Rate exceeded');
  }
}

/** Refuses an SMS Publish (one with a PhoneNumber) once the gate's rate is used up; other actions pass. */
export const checkSmsRate = (action: string, params: URLSearchParams, gate: SendRateGate | undefined): void => {
  if (gate === undefined || action !== 'Publish' || !params.get('PhoneNumber')) return;
  if (!gate.admit()) throw new SmsThrottledError();
};
