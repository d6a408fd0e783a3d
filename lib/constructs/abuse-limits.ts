import type { CfnStage, HttpRoute, HttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { RelayFunction } from './relay-function.ts';

/** A route's API Gateway throttle: steady requests per second, and the burst on top. */
export interface RouteThrottle {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

/**
 * Throttles some routes of the stage below the stage default, so that a flood
 * on one of them (the directory API, with no CometChat traffic) is answered
 * 429 by API Gateway on that route alone. HTTP APIs throttle each route on its
 * own: the stage default applies to every route separately, these override it.
 */
export const throttleRoutes = (
  stage: HttpStage,
  routes: ReadonlyArray<{ readonly key: string; readonly route: HttpRoute }>,
  throttle: RouteThrottle,
): void => {
  const cfnStage = stage.node.defaultChild as CfnStage;
  const existing = (cfnStage.routeSettings ?? {}) as Record<string, unknown>;
  cfnStage.routeSettings = {
    ...existing,
    ...Object.fromEntries(
      routes.map(({ key }) => [key, { ThrottlingRateLimit: throttle.rateLimit, ThrottlingBurstLimit: throttle.burstLimit }]),
    ),
  };
  // A stage may only name routes that exist: it is created after them.
  for (const { route } of routes) cfnStage.node.addDependency(route);
};

/**
 * Reserves concurrency for a function: it can always run that many at once,
 * and never more, whatever the rest of the account does. Lambda keeps 100 of
 * the account's quota unreserved, so the sum of reservations must stay at
 * least 100 below it (a new account's quota may be as low as 10: see README).
 */
export const reserveConcurrency = (fn: RelayFunction, reserved: number | undefined): void => {
  if (reserved === undefined) return;
  (fn.node.defaultChild as CfnFunction).reservedConcurrentExecutions = reserved;
};
