import { isAbsolute, resolve } from 'node:path';
import {
  type CompiledPolicy,
  loadPolicyFile,
  PolicyFileError,
  PolicyValidationError,
} from '../functions/policy/policy-schema.ts';
import { ConfigError } from './config.ts';
import { PROJECT_ROOT } from './constructs/relay-function.ts';

/** The configuration key whose value this module checks: every error names it. */
const KEY = 'policyFile';

/** A before_message policy file that passed validation at synth, ready to be bundled. */
export interface SynthPolicyFile {
  /** The path as configured (relative to the project root, or absolute). */
  readonly configuredPath: string;
  /** Where the file is: what gets copied into the bundle. */
  readonly absolutePath: string;
  /** The validated policy; `warnings` lists valid but risky rules. */
  readonly policy: CompiledPolicy;
}

/**
 * Reads and validates the configured before_message policy with the same
 * `loadPolicyFile` the function runs at cold start, so that a broken policy
 * stops `cdk synth` (with every problem, each with its place in the file)
 * instead of failing the function's initialisation after a deploy.
 *
 * @param policyFile relative to `root`, or absolute
 * @param root the project root, which relative paths are resolved against
 * @throws ConfigError naming `policyFile` and listing the policy's problems
 */
export const loadPolicyForSynth = (policyFile: string, root: string = PROJECT_ROOT): SynthPolicyFile => {
  const absolutePath = isAbsolute(policyFile) ? policyFile : resolve(root, policyFile);
  try {
    return { configuredPath: policyFile, absolutePath, policy: loadPolicyFile(absolutePath) };
  } catch (error) {
    if (error instanceof PolicyValidationError) {
      throw new ConfigError(
        error.issues.map(
          (issue) =>
            `${KEY}: ${policyFile} is not a valid before_message policy (docs/policy.md): ${issue.path || '(document)'}: ${issue.message}`,
        ),
      );
    }
    if (error instanceof PolicyFileError) {
      const reason = error.cause instanceof Error ? error.cause.message : error.message;
      throw new ConfigError([
        `${KEY}: cannot read ${policyFile} (resolved to ${absolutePath}, relative paths start at the project root): ${reason}`,
      ]);
    }
    throw error;
  }
};
