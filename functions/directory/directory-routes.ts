/**
 * The directory API's routes (SPEC §3), one list for the CDK stack (API
 * Gateway routes) and the local stack (local server routes), so both serve
 * exactly the same paths. `path` uses API Gateway's syntax; the route key the
 * handler dispatches on is `${method} ${path}`.
 */
export const DIRECTORY_ROUTES = [
  { method: 'PUT', path: '/users/{uid}/devices/{deviceId}', action: 'registerDevice' },
  { method: 'DELETE', path: '/users/{uid}/devices/{deviceId}', action: 'unregisterDevice' },
  { method: 'GET', path: '/users/{uid}/devices', action: 'listDevices' },
  { method: 'PUT', path: '/users/{uid}/contact', action: 'putContact' },
  { method: 'GET', path: '/users/{uid}/contact', action: 'getContact' },
  { method: 'DELETE', path: '/users/{uid}', action: 'eraseUser' },
] as const;

export type DirectoryRoute = (typeof DIRECTORY_ROUTES)[number];
export type DirectoryAction = DirectoryRoute['action'];

/** The `routeKey` API Gateway puts in the event for a route, e.g. `PUT /users/{uid}/contact`. */
export const directoryRouteKey = (route: Pick<DirectoryRoute, 'method' | 'path'>): string => `${route.method} ${route.path}`;
