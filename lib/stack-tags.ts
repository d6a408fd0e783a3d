/**
 * The tag on the webhook secret whose value is the webhooks' base URL (the
 * custom domain, or the API's own): how `npm run send -- --stack <name>`
 * finds a deployed relay with nothing but its stack name, without the
 * CloudFormation or API Gateway APIs.
 */
export const WEBHOOK_URL_TAG = 'cometchat-relay:webhook-url';
