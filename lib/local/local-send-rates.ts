/**
 * The send rates the local SES and SMS emulation enforce: the providers'
 * production defaults (SES 14 per second, SNS SMS 20 per second), changed
 * with `LOCAL_SES_SEND_RATE` and `LOCAL_SMS_SEND_RATE` (sends per second,
 * decimals allowed). The local consumers pace themselves to the same rates.
 */
export const LOCAL_SEND_RATE_DEFAULTS = { email: 14, sms: 20 } as const;

export interface LocalSendRates {
  readonly email: number;
  readonly sms: number;
}

export const localSendRatesFromEnv = (env: NodeJS.ProcessEnv = process.env): LocalSendRates => ({
  email: rateFrom(env, 'LOCAL_SES_SEND_RATE', LOCAL_SEND_RATE_DEFAULTS.email),
  sms: rateFrom(env, 'LOCAL_SMS_SEND_RATE', LOCAL_SEND_RATE_DEFAULTS.sms),
});

const rateFrom = (env: NodeJS.ProcessEnv, name: string, fallback: number): number => {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const rate = Number(raw);
  if (!(rate > 0) || !Number.isFinite(rate)) {
    throw new Error(`${name} must be a positive number of sends per second, such as ${fallback}; got "${raw}"`);
  }
  return rate;
};
