/** The options of a bulk run that change its conclusions: part of the run id, the same record `txreplay report` builds. */
import type { DeviceProfile, DeviceProfiles, ReplayOptions } from '@txreplay/replay';

export function runOptions(
  profile: DeviceProfile,
  replay: ReplayOptions & { deviceProfiles: DeviceProfiles },
): Record<string, string | number | boolean> {
  const options: Record<string, string | number | boolean> = {
    profile: JSON.stringify(profile),
    deviceProfiles: JSON.stringify(replay.deviceProfiles),
    includeLo: replay.includeLoopback === true,
  };
  if (replay.stallNs !== undefined) options.stallNs = replay.stallNs;
  return options;
}
