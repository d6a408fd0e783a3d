import { afterAll, describe, expect, it } from 'vitest';
import { DIRECTORY_ROUTES } from '../../functions/directory/directory-api.ts';
import { directoryRouteKey } from '../../functions/directory/directory-routes.ts';
import {
  DEFAULT_DIRECTORY_THROTTLE_BURST_LIMIT,
  DEFAULT_DIRECTORY_THROTTLE_RATE_LIMIT,
  DEFAULT_THROTTLE_RATE_LIMIT,
} from '../../lib/config.ts';
import { buildRelayStack, cleanupAssemblies } from './relay-app.ts';

afterAll(cleanupAssemblies);

const stageOf = (template: ReturnType<typeof buildRelayStack>['template']) =>
  Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0] as {
    Properties: { DefaultRouteSettings: Record<string, number>; RouteSettings?: Record<string, Record<string, number>> };
    DependsOn?: string[];
  };

const reservedOf = (template: ReturnType<typeof buildRelayStack>['template']) =>
  Object.values(template.findResources('AWS::Lambda::Function')).map(
    (fn) => (fn as { Properties: { ReservedConcurrentExecutions?: number; Description?: string } }).Properties,
  );

describe('abuse limits', () => {
  it('throttles each directory route far below the webhook routes, on its own', () => {
    const { template } = buildRelayStack();
    const stage = stageOf(template);

    expect(stage.Properties.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: DEFAULT_THROTTLE_RATE_LIMIT });
    expect(Object.keys(stage.Properties.RouteSettings ?? {}).sort()).toEqual(DIRECTORY_ROUTES.map(directoryRouteKey).sort());
    for (const settings of Object.values(stage.Properties.RouteSettings ?? {})) {
      expect(settings).toEqual({
        ThrottlingRateLimit: DEFAULT_DIRECTORY_THROTTLE_RATE_LIMIT,
        ThrottlingBurstLimit: DEFAULT_DIRECTORY_THROTTLE_BURST_LIMIT,
      });
      expect(settings.ThrottlingRateLimit).toBeLessThan(DEFAULT_THROTTLE_RATE_LIMIT / 10);
    }
    // The stage names the routes, so it is created after them.
    expect(stage.DependsOn?.length ?? 0).toBeGreaterThanOrEqual(DIRECTORY_ROUTES.length);
  });

  it('takes the directory throttle from configuration', () => {
    const { template } = buildRelayStack({
      'cometchat-relay': { api: { directoryThrottleRateLimit: 7, directoryThrottleBurstLimit: 9 } },
    });

    for (const settings of Object.values(stageOf(template).Properties.RouteSettings ?? {})) {
      expect(settings).toEqual({ ThrottlingRateLimit: 7, ThrottlingBurstLimit: 9 });
    }
  });

  it('reserves no concurrency by default (a new account may not have 100 to spare), and what is configured otherwise', () => {
    expect(reservedOf(buildRelayStack().template).filter((fn) => fn.ReservedConcurrentExecutions !== undefined)).toEqual([]);

    const configured = reservedOf(
      buildRelayStack({ 'cometchat-relay': { reservedConcurrency: { webhooks: 40, directory: 3 } } }).template,
    );
    const webhooks = configured.filter(
      (fn) => /webhooks|before_message/.test(fn.Description ?? '') && !/directory/i.test(fn.Description ?? ''),
    );
    expect(webhooks.map((fn) => fn.ReservedConcurrentExecutions)).toEqual([40, 40, 40, 40, 40]);
    const directory = configured.filter((fn) => fn.ReservedConcurrentExecutions === 3);
    expect(directory).toHaveLength(1);
  });
});
