// The device tree of Edgevisor's `virt` platform, generated from the VM's configuration.
// Layout and compatible strings follow QEMU's virt machine, so the same kernel runs on
// both and Linux's stock drivers bind: CLINT, PLIC, 16550A UART, virtio-mmio slots,
// goldfish RTC, SiFive test device with syscon poweroff/reboot.

import { buildFdt, cells, empty, node, str, strList, u64cells, type FdtNode } from "./fdt.js";

export const VIRT = {
  test: 0x10_0000n,
  rtc: 0x10_1000n,
  clint: 0x200_0000n,
  plic: 0xc00_0000n,
  plicSize: 0x60_0000n,
  uart: 0x1000_0000n,
  virtio: 0x1000_1000n,
  virtioStride: 0x1000n,
  virtioSlots: 8,
  dram: 0x8000_0000n,
  uartIrq: 10,
  rtcIrq: 11,
  /** virtio slot i (0-based) uses PLIC source 1 + i, as on QEMU. */
  virtioIrqBase: 1,
  /** riscv,ndev: sources 1..96, as QEMU virt. */
  plicSources: 96,
  timebase: 10_000_000,
} as const;

export interface DeviceTreeConfig {
  ramBytes: bigint;
  bootargs: string;
  initrd?: { start: bigint; end: bigint };
  /** Virtio slots in use (0-based); every slot is described, as QEMU does. */
  virtioSlots?: number;
  /** Bytes for /chosen/rng-seed (from the VM's seeded entropy source). */
  rngSeed?: Uint8Array;
  /** Extensions beyond rv64imafdc to advertise (the hart implements Sstc). */
  sstc?: boolean;
}

const PH_CPU_INTC = 1;
const PH_PLIC = 2;
const PH_TEST = 3;

const hex = (v: bigint) => v.toString(16);

export function buildVirtDeviceTree(cfg: DeviceTreeConfig): Uint8Array {
  const sstc = cfg.sstc ?? true;
  const exts = ["i", "m", "a", "f", "d", "c", "zicntr", "zicsr", "zifencei", ...(sstc ? ["sstc"] : [])];
  const isa = `rv64imafdc_zicntr_zicsr_zifencei${sstc ? "_sstc" : ""}`;

  const chosen: [string, Uint8Array][] = [
    ["bootargs", str(cfg.bootargs)],
    ["stdout-path", str(`/soc/serial@${hex(VIRT.uart)}`)],
  ];
  if (cfg.initrd) {
    chosen.push(["linux,initrd-start", u64cells(cfg.initrd.start)]);
    chosen.push(["linux,initrd-end", u64cells(cfg.initrd.end)]);
  }
  if (cfg.rngSeed) chosen.push(["rng-seed", cfg.rngSeed]);

  const cpu = node("cpu@0", [
    ["device_type", str("cpu")],
    ["reg", cells(0)],
    ["status", str("okay")],
    ["compatible", str("riscv")],
    ["riscv,isa", str(isa)],
    ["riscv,isa-base", str("rv64i")],
    ["riscv,isa-extensions", strList(...exts)],
    ["mmu-type", str("riscv,sv39")],
  ], [
    node("interrupt-controller", [
      ["#interrupt-cells", cells(1)],
      ["interrupt-controller", empty()],
      ["compatible", str("riscv,cpu-intc")],
      ["phandle", cells(PH_CPU_INTC)],
    ]),
  ]);

  const soc: FdtNode[] = [
    node(`test@${hex(VIRT.test)}`, [
      ["compatible", strList("sifive,test1", "sifive,test0", "syscon")],
      ["reg", u64cells(VIRT.test, 0x1000n)],
      ["phandle", cells(PH_TEST)],
    ]),
    node("poweroff", [
      ["compatible", str("syscon-poweroff")],
      ["regmap", cells(PH_TEST)],
      ["offset", cells(0)],
      ["value", cells(0x5555)],
    ]),
    node("reboot", [
      ["compatible", str("syscon-reboot")],
      ["regmap", cells(PH_TEST)],
      ["offset", cells(0)],
      ["value", cells(0x7777)],
    ]),
    node(`rtc@${hex(VIRT.rtc)}`, [
      ["compatible", str("google,goldfish-rtc")],
      ["reg", u64cells(VIRT.rtc, 0x1000n)],
      ["interrupts", cells(VIRT.rtcIrq)],
      ["interrupt-parent", cells(PH_PLIC)],
    ]),
    node(`serial@${hex(VIRT.uart)}`, [
      ["compatible", str("ns16550a")],
      ["reg", u64cells(VIRT.uart, 0x100n)],
      ["clock-frequency", cells(3_686_400)],
      ["interrupts", cells(VIRT.uartIrq)],
      ["interrupt-parent", cells(PH_PLIC)],
    ]),
    node(`plic@${hex(VIRT.plic)}`, [
      ["#address-cells", cells(0)],
      ["#interrupt-cells", cells(1)],
      ["compatible", strList("sifive,plic-1.0.0", "riscv,plic0")],
      ["interrupt-controller", empty()],
      ["interrupts-extended", cells(PH_CPU_INTC, 11, PH_CPU_INTC, 9)],
      ["reg", u64cells(VIRT.plic, VIRT.plicSize)],
      ["riscv,ndev", cells(VIRT.plicSources)],
      ["phandle", cells(PH_PLIC)],
    ]),
    node(`clint@${hex(VIRT.clint)}`, [
      ["compatible", strList("sifive,clint0", "riscv,clint0")],
      ["reg", u64cells(VIRT.clint, 0x10000n)],
      ["interrupts-extended", cells(PH_CPU_INTC, 3, PH_CPU_INTC, 7)],
    ]),
  ];
  const slots = cfg.virtioSlots ?? VIRT.virtioSlots;
  for (let i = 0; i < slots; i++) {
    const base = VIRT.virtio + BigInt(i) * VIRT.virtioStride;
    soc.push(node(`virtio_mmio@${hex(base)}`, [
      ["compatible", str("virtio,mmio")],
      ["reg", u64cells(base, 0x1000n)],
      ["interrupts", cells(VIRT.virtioIrqBase + i)],
      ["interrupt-parent", cells(PH_PLIC)],
    ]));
  }

  const root = node("", [
    ["#address-cells", cells(2)],
    ["#size-cells", cells(2)],
    ["compatible", str("riscv-virtio")],
    ["model", str("edgevisor,virt")],
  ], [
    node("chosen", chosen),
    node(`memory@${hex(VIRT.dram)}`, [
      ["device_type", str("memory")],
      ["reg", u64cells(VIRT.dram, cfg.ramBytes)],
    ]),
    node("cpus", [
      ["#address-cells", cells(1)],
      ["#size-cells", cells(0)],
      ["timebase-frequency", cells(VIRT.timebase)],
    ], [cpu]),
    node("soc", [
      ["#address-cells", cells(2)],
      ["#size-cells", cells(2)],
      ["compatible", str("simple-bus")],
      ["ranges", empty()],
    ], soc),
  ]);
  return buildFdt(root);
}
