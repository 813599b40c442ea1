// An empty virtio-mmio slot: DeviceID 0 (§4.2.2: "a device with DeviceID 0 ... the driver
// MUST ignore"), so a device tree can list every slot as QEMU virt does while only some
// hold devices. Map `new VirtioMmio(new VirtioEmptySlot(), mem, () => {})`.

import { obj } from "../state.js";
import type { VirtioDevice } from "./device.js";

export class VirtioEmptySlot implements VirtioDevice {
  readonly deviceId = 0;
  readonly features = 0n;
  readonly queueMax: readonly number[] = [];
  attach(): void {}
  config(): Uint8Array { return new Uint8Array(0); }
  configWrite(): void {}
  notify(): void {}
  reset(): void {}
  saveState(): Record<string, never> { return {}; }
  loadState(s: unknown): void { obj(s, "empty"); }
}
