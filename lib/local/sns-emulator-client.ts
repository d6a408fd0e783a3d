import type { FaultSpec, PublishedMessage } from './sns-emulator.ts';

/** The SNS emulator's controls over HTTP (`/_emulator/`), for code that does not run in the emulator's process. */
export interface SnsEmulatorControls {
  published(): Promise<PublishedMessage[]>;
  clearPublished(): Promise<void>;
  disableEndpoint(selector: { token: string } | { endpointArn: string }): Promise<string[]>;
  optOut(phoneNumber: string): Promise<void>;
  injectFault(fault: FaultSpec): Promise<void>;
  clearFaults(): Promise<void>;
}

export const snsEmulatorClient = (endpoint: string): SnsEmulatorControls => {
  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(`${endpoint}/_emulator/${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`SNS emulator ${method} ${path} answered ${response.status}: ${await response.text()}`);
    return response.status === 204 ? undefined : response.json();
  };
  return {
    published: async () => (await call('GET', 'published')) as PublishedMessage[],
    clearPublished: async () => void (await call('DELETE', 'published')),
    disableEndpoint: async (selector) => ((await call('POST', 'endpoints/disable', selector)) as { disabled: string[] }).disabled,
    optOut: async (phoneNumber) => void (await call('POST', 'opt-out', { phoneNumber })),
    injectFault: async (fault) => void (await call('POST', 'faults', fault)),
    clearFaults: async () => void (await call('DELETE', 'faults')),
  };
};
