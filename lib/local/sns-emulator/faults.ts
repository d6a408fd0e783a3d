import { InjectedFaultError, InvalidParameterError } from './errors.ts';

/** A failure to answer instead of running the action, for testing retries and error handling. */
export interface FaultSpec {
  /** The query action to fail (`Publish`, ...); every action when absent. */
  readonly action?: string;
  /** The query error code, e.g. `Throttling`, `Throttled`, `InternalError`. */
  readonly code: string;
  /** How many matching calls fail before the action works again (default 1). */
  readonly count?: number;
  /** Defaults to the code's usual message. */
  readonly message?: string;
  /** Defaults to the status SNS uses for the code (400 when unknown). */
  readonly status?: number;
}

/** Status and message SNS answers for the codes a test is likely to inject. */
const KNOWN_FAULTS: Record<string, { readonly status: number; readonly message: string }> = {
  // The generic AWS throttling error: the SDK retries it by name.
  Throttling: { status: 400, message: 'Rate exceeded' },
  // SNS's modelled ThrottledException: 429, retried by status.
  Throttled: { status: 429, message: 'Rate exceeded' },
  InternalError: { status: 500, message: 'Internal error' },
  InternalFailure: { status: 500, message: 'The request processing has failed because of an unknown error, exception or failure.' },
  ServiceUnavailable: { status: 503, message: 'Service Unavailable' },
  KMSThrottling: { status: 400, message: 'Rate exceeded' },
  AuthorizationError: { status: 403, message: 'User is not authorized to perform this action' },
  EndpointDisabled: { status: 400, message: 'Endpoint is disabled' },
  InvalidParameter: { status: 400, message: 'Invalid parameter' },
  NotFound: { status: 404, message: 'Resource does not exist' },
};

interface PendingFault {
  readonly action: string | undefined;
  readonly error: InjectedFaultError;
  remaining: number;
}

/** Faults waiting to be answered, oldest first. */
export class FaultQueue {
  private pending: PendingFault[] = [];

  inject(spec: FaultSpec): void {
    const count = spec.count ?? 1;
    if (typeof spec.code !== 'string' || spec.code === '') throw new InvalidParameterError('A fault needs a code');
    if (!Number.isInteger(count) || count < 1) throw new InvalidParameterError(`A fault count must be a positive integer, not ${count}`);
    const known = KNOWN_FAULTS[spec.code];
    const status = spec.status ?? known?.status ?? 400;
    if (!Number.isInteger(status) || status < 400 || status > 599) throw new InvalidParameterError(`A fault status must be 4xx or 5xx, not ${status}`);
    const message = spec.message ?? known?.message ?? spec.code;
    this.pending.push({ action: spec.action, error: new InjectedFaultError(spec.code, status, message), remaining: count });
  }

  /** The error to answer for this call, if a fault is waiting for its action. */
  take(action: string): InjectedFaultError | undefined {
    const fault = this.pending.find((candidate) => candidate.action === undefined || candidate.action === action);
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining === 0) this.pending = this.pending.filter((candidate) => candidate !== fault);
    return fault.error;
  }

  clear(): void {
    this.pending = [];
  }
}
