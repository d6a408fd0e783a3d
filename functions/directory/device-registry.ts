import { PlatformNotConfiguredError } from '../shared/errors.ts';
import { canonicalUid, type Device, type DirectoryAdmin, type Platform } from '../shared/ports/directory.ts';
import type { PlatformEndpoints } from '../shared/ports/platform-endpoints.ts';

/** The SNS platform application of each platform this deployment serves (any subset). */
export type PlatformApplicationArns = Readonly<Partial<Record<Platform, string>>>;

export interface DeviceRegistryDeps {
  readonly directory: DirectoryAdmin;
  readonly endpoints: PlatformEndpoints;
  readonly platformApplications: PlatformApplicationArns;
  readonly now?: () => Date;
}

/** A device with the live state of its endpoint. */
export interface RegisteredDevice extends Device {
  /** False when the provider reported the token dead; the app must register a new token. */
  readonly enabled: boolean;
}

export interface DeviceRegistration {
  readonly uid: string;
  readonly deviceId: string;
  readonly platform: Platform;
  readonly token: string;
}

/**
 * Registering, moving and removing devices together with their SNS endpoints.
 *
 * Invariants: one SNS endpoint per (platform application, token), as SNS itself
 * keeps them; one device item per (platform, token), so a phone is never
 * attached to two users. There are no transactions (dynalite has none), so the
 * writes are ordered for what a crash between two of them leaves behind:
 * - never the token under the previous user (it is taken from them first);
 * - at worst a device item pointing at a deleted endpoint, which the next
 *   delivery removes (SNS answers NotFound / EndpointDisabled), or which a
 *   retry of the same request repairs;
 * - or an endpoint no item refers to yet, which the retry finds again (SNS
 *   returns the same endpoint for the same token).
 */
export const createDeviceRegistry = ({ directory, endpoints, platformApplications, now = () => new Date() }: DeviceRegistryDeps) => {
  /** Whether a device other than those `excluded` still publishes through this endpoint. */
  const endpointUsedByOthers = async (device: Device, excluded: (other: Device) => boolean): Promise<boolean> =>
    (await directory.devicesByToken(device.platform, device.token)).some(
      (other) => other.endpointArn === device.endpointArn && !excluded(other),
    );

  const isSameDevice = (a: Pick<Device, 'uid' | 'deviceId'>) => (b: Device) => a.uid === b.uid && a.deviceId === b.deviceId;

  /** Endpoint first, item second: a crash in between leaves a stale item that delivery or a retry cleans up. */
  const retireDevice = async (device: Device, keepEndpointArn?: string): Promise<void> => {
    if (device.endpointArn !== keepEndpointArn && !(await endpointUsedByOthers(device, isSameDevice(device)))) {
      await endpoints.deleteEndpoint(device.endpointArn);
    }
    await directory.deleteDevice(device.uid, device.deviceId);
  };

  return {
    /**
     * Creates or refreshes the device and its endpoint. A token held by another
     * device (of this or another user) moves here: the other item is removed and
     * the shared endpoint, now this registration's, is kept.
     */
    async registerDevice(registration: DeviceRegistration): Promise<RegisteredDevice> {
      const { deviceId, platform, token } = registration;
      const uid = canonicalUid(registration.uid);
      const applicationArn = platformApplications[platform];
      if (!applicationArn) throw new PlatformNotConfiguredError(platform);

      const previous = await directory.getDevice(uid, deviceId);
      const endpoint = await endpoints.ensureEndpoint({ applicationArn, token });

      // 1. Take the token away from every other device first, so a shared phone never gets the previous user's notifications.
      const self = { uid, deviceId };
      for (const holder of await directory.devicesByToken(platform, token)) {
        if (!isSameDevice(self)(holder)) await retireDevice(holder, endpoint.endpointArn);
      }
      // 2. The endpoint this device used before (old token or old application), unless someone else still uses it.
      if (previous && previous.endpointArn !== endpoint.endpointArn && !(await endpointUsedByOthers(previous, isSameDevice(previous)))) {
        await endpoints.deleteEndpoint(previous.endpointArn);
      }
      // 3. Only now does the item point at the new endpoint.
      const device: Device = { uid, deviceId, platform, token, endpointArn: endpoint.endpointArn, updatedAt: now().toISOString() };
      await directory.putDevice(device);
      return { ...device, enabled: endpoint.enabled };
    },

    /** Removes the device and its endpoint; false when there was no such device. */
    async unregisterDevice(uid: string, deviceId: string): Promise<boolean> {
      const device = await directory.getDevice(canonicalUid(uid), deviceId);
      if (!device) return false;
      await retireDevice(device);
      return true;
    },

    /** The user's devices with their endpoints' live state (a missing endpoint counts as disabled). */
    async listDevices(uid: string): Promise<RegisteredDevice[]> {
      const devices = await directory.listDevices(uid);
      return Promise.all(
        devices.map(async (device) => ({
          ...device,
          enabled: (await endpoints.describeEndpoint(device.endpointArn))?.enabled ?? false,
        })),
      );
    },

    /** Deletes every device (and endpoint) and the contact of the user; false when nothing was stored. */
    async eraseUser(uid: string): Promise<boolean> {
      const devices = await directory.listDevices(canonicalUid(uid));
      await Promise.all(
        devices.map(async (device) => {
          if (!(await endpointUsedByOthers(device, (other) => other.uid === device.uid))) {
            await endpoints.deleteEndpoint(device.endpointArn);
          }
        }),
      );
      // Items after endpoints: a crash in between leaves items a retry of the DELETE finds and finishes.
      return (await directory.eraseUser(uid)) > 0;
    },
  };
};

export type DeviceRegistry = ReturnType<typeof createDeviceRegistry>;
