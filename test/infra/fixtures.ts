/** SNS platform application ARNs of a made-up account, one per platform kind the tests need. */
export const FCM_ARN = 'arn:aws:sns:eu-west-1:123456789012:app/GCM/my-app-fcm';
export const APNS_ARN = 'arn:aws:sns:eu-west-1:123456789012:app/APNS/my-app-apns';
export const VOIP_ARN = 'arn:aws:sns:eu-west-1:123456789012:app/APNS_VOIP/my-app-voip';

/** The endpoints SNS creates under each of them. */
export const ENDPOINT_PATTERNS = [
  'arn:aws:sns:eu-west-1:123456789012:endpoint/GCM/my-app-fcm/*',
  'arn:aws:sns:eu-west-1:123456789012:endpoint/APNS/my-app-apns/*',
  'arn:aws:sns:eu-west-1:123456789012:endpoint/APNS_VOIP/my-app-voip/*',
];

/** A configuration with every optional setting filled in, none at its default (the policy file is tested on its own). */
export const FULL_CONFIG = {
  platformApplicationArns: { fcm: FCM_ARN, apns: APNS_ARN, apns_voip: VOIP_ARN },
  senderEmail: 'notifications@example.com',
  sesConfigurationSet: 'relay-events',
  sms: { senderId: 'MyApp', originationNumber: '+14155550100', maxPrice: '0.50' },
  maxConcurrency: { push: 50, sms: 3, email: 10, events: 8 },
  sendRates: { push: 500, sms: 3, email: 40 },
  alarms: {
    email: 'oncall@example.com',
    smsMonthlySpendUsd: 25.5,
    ingestLatencyP99Ms: 1200,
    oldestMessageAgeSeconds: { push: 300, sms: 1800, email: 1200, events: 420 },
  },
  api: { throttleRateLimit: 500, throttleBurstLimit: 1500, directoryThrottleRateLimit: 20, directoryThrottleBurstLimit: 40 },
  reservedConcurrency: { webhooks: 30, directory: 4 },
  pushFeedback: true,
} as const;

/** What `Stack.formatArn` writes for an SES resource of the stack's own account and region. */
export const sesArn = (resource: string) => ({
  'Fn::Join': [
    '',
    ['arn:', { Ref: 'AWS::Partition' }, ':ses:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:${resource}`],
  ],
});
