// zod/mini: every handler reads its environment here, the ingest one included (bundle size, cold start).
// The shape may hold classic or mini schemas alike: both are zod core schemas.
import * as z from 'zod/mini';

/**
 * Reads and validates a function's environment once, at cold start. A missing
 * or malformed variable fails the init with every problem listed, instead of
 * falling back to a default that hides a deployment mistake.
 */
export const readEnv = <Shape extends z.core.$ZodLooseShape>(
  shape: Shape,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<z.ZodMiniObject<Shape>> => {
  const result = z.object(shape).safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`Invalid function environment: ${problems}`);
  }
  return result.data;
};
