// The device tree Linux receives: buildVirtDeviceTree's DTB read back by an independent
// FDT parser (devicetree spec v0.4 §5) and, when dtc is installed, decompiled by dtc.

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildVirtDeviceTree } from "../../src/machine/boot/devicetree.js";

interface Node {
  name: string;
  props: Map<string, Uint8Array>;
  children: Node[];
}

interface Fdt {
  header: Record<"magic" | "totalsize" | "offStruct" | "offStrings" | "offRsvmap" | "version" | "lastComp" | "bootCpu" | "sizeStrings" | "sizeStruct", number>;
  root: Node;
}

/** A strict FDT reader: throws on anything malformed. */
function parseFdt(b: Uint8Array): Fdt {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const u32 = (o: number) => {
    if (o + 4 > b.length) throw new Error(`read past end at ${o}`);
    return dv.getUint32(o);
  };
  const header = {
    magic: u32(0), totalsize: u32(4), offStruct: u32(8), offStrings: u32(12), offRsvmap: u32(16),
    version: u32(20), lastComp: u32(24), bootCpu: u32(28), sizeStrings: u32(32), sizeStruct: u32(36),
  };
  if (header.magic !== 0xd00dfeed) throw new Error(`bad magic 0x${header.magic.toString(16)}`);
  if (header.offStruct % 4 || header.offRsvmap % 8) throw new Error("misaligned blocks");
  if (header.offStruct + header.sizeStruct > header.totalsize) throw new Error("struct block past totalsize");
  if (header.offStrings + header.sizeStrings > header.totalsize) throw new Error("strings block past totalsize");
  // Memory reservation map: (address, size) pairs ending with a zero pair.
  for (let o = header.offRsvmap; ; o += 16) {
    if (u32(o) === 0 && u32(o + 4) === 0 && u32(o + 8) === 0 && u32(o + 12) === 0) break;
  }
  const cstr = (o: number, limit: number): [string, number] => {
    let e = o;
    while (e < limit && b[e] !== 0) e++;
    if (e >= limit) throw new Error(`unterminated string at ${o}`);
    return [new TextDecoder().decode(b.subarray(o, e)), e + 1];
  };
  const structEnd = header.offStruct + header.sizeStruct;
  const stringsEnd = header.offStrings + header.sizeStrings;
  let p = header.offStruct;
  const align = () => { p = (p + 3) & ~3; };
  const stack: Node[] = [];
  let root: Node | undefined;
  for (;;) {
    if (p >= structEnd) throw new Error("struct block ended without FDT_END");
    const tok = u32(p);
    p += 4;
    if (tok === 1) {
      const [name, next] = cstr(p, structEnd);
      p = next;
      align();
      const n: Node = { name, props: new Map(), children: [] };
      if (stack.length) stack[stack.length - 1]!.children.push(n);
      else if (root) throw new Error("second root node");
      else root = n;
      stack.push(n);
    } else if (tok === 2) {
      if (!stack.pop()) throw new Error("END_NODE without BEGIN_NODE");
    } else if (tok === 3) {
      const len = u32(p);
      const nameoff = u32(p + 4);
      p += 8;
      if (!stack.length) throw new Error("property outside a node");
      const node = stack[stack.length - 1]!;
      if (node.children.length) throw new Error(`property after subnode in ${node.name}`);
      const [pname] = cstr(header.offStrings + nameoff, stringsEnd);
      if (node.props.has(pname)) throw new Error(`duplicate property ${pname} in ${node.name}`);
      if (p + len > structEnd) throw new Error("property value past struct block");
      node.props.set(pname, b.slice(p, p + len));
      p += len;
      align();
    } else if (tok === 4) {
      // FDT_NOP
    } else if (tok === 9) {
      if (stack.length) throw new Error("FDT_END inside a node");
      if (p !== structEnd) throw new Error(`FDT_END at ${p}, struct block ends at ${structEnd}`);
      break;
    } else {
      throw new Error(`bad token ${tok} at ${p - 4}`);
    }
  }
  if (!root) throw new Error("no root node");
  return { header, root };
}

function find(root: Node, path: string): Node {
  let n = root;
  for (const part of path.split("/").filter(Boolean)) {
    const c = n.children.find((x) => x.name === part);
    if (!c) throw new Error(`no node ${part} under /${n.name} (have ${n.children.map((x) => x.name).join(", ")})`);
    n = c;
  }
  return n;
}

const prop = (n: Node, name: string): Uint8Array => {
  const v = n.props.get(name);
  if (!v) throw new Error(`${n.name} has no property ${name}`);
  return v;
};
const strs = (n: Node, name: string): string[] => {
  const v = prop(n, name);
  expect(v[v.length - 1]).toBe(0); // NUL-terminated
  return new TextDecoder().decode(v.subarray(0, v.length - 1)).split("\0");
};
const str1 = (n: Node, name: string): string => {
  const s = strs(n, name);
  expect(s).toHaveLength(1);
  return s[0]!;
};
const u32s = (n: Node, name: string): number[] => {
  const v = prop(n, name);
  expect(v.length % 4).toBe(0);
  const dv = new DataView(v.buffer, v.byteOffset, v.byteLength);
  return Array.from({ length: v.length / 4 }, (_, i) => dv.getUint32(i * 4));
};
/** Pairs of 2-cell values (for #address-cells = #size-cells = 2). */
const u64s = (n: Node, name: string): bigint[] => {
  const c = u32s(n, name);
  expect(c.length % 2).toBe(0);
  const out: bigint[] = [];
  for (let i = 0; i < c.length; i += 2) out.push((BigInt(c[i]!) << 32n) | BigInt(c[i + 1]!));
  return out;
};

const RAM = 256n << 20n;
const BOOTARGS = "console=ttyS0 earlycon=sbi root=/dev/vda rw";
const INITRD = { start: 0x8f00_0000n, end: 0x8f3a_5c11n };
const dtb = buildVirtDeviceTree({ ramBytes: RAM, bootargs: BOOTARGS, initrd: INITRD });
const fdt = parseFdt(dtb);
const root = fdt.root;
const soc = find(root, "soc");

describe("FDT structure", () => {
  it("has a version 17 header whose totalsize is the buffer length", () => {
    expect(fdt.header.magic).toBe(0xd00dfeed);
    expect(fdt.header.version).toBe(17);
    expect(fdt.header.lastComp).toBe(16);
    expect(fdt.header.totalsize).toBe(dtb.length);
    expect(fdt.header.bootCpu).toBe(0);
  });

  it("fits in the 64 KiB the boot planner leaves for it", () => {
    expect(dtb.length).toBeLessThanOrEqual(0x10000);
  });

  it("has the root's 2-cell addressing and a riscv-virtio model", () => {
    expect(root.name).toBe("");
    expect(u32s(root, "#address-cells")).toEqual([2]);
    expect(u32s(root, "#size-cells")).toEqual([2]);
    expect(str1(root, "compatible")).toBe("riscv-virtio");
  });

  it("has unique phandles", () => {
    const seen: number[] = [];
    const walk = (n: Node) => {
      if (n.props.has("phandle")) seen.push(u32s(n, "phandle")[0]!);
      n.children.forEach(walk);
    };
    walk(root);
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(new Set(seen).size).toBe(seen.length);
  });
});

describe("/chosen", () => {
  const chosen = find(root, "chosen");

  it("carries the kernel command line and the console", () => {
    expect(str1(chosen, "bootargs")).toBe(BOOTARGS);
    const stdout = str1(chosen, "stdout-path");
    // stdout-path names the UART node.
    expect(() => find(root, stdout)).not.toThrow();
    expect(str1(find(root, stdout), "compatible")).toBe("ns16550a");
  });

  it("carries the initrd range as 64-bit values when there is one", () => {
    expect(u64s(chosen, "linux,initrd-start")).toEqual([INITRD.start]);
    expect(u64s(chosen, "linux,initrd-end")).toEqual([INITRD.end]);
  });

  it("has no initrd properties without an initrd", () => {
    const c = find(parseFdt(buildVirtDeviceTree({ ramBytes: RAM, bootargs: "" })).root, "chosen");
    expect(c.props.has("linux,initrd-start")).toBe(false);
    expect(c.props.has("linux,initrd-end")).toBe(false);
    expect(str1(c, "bootargs")).toBe("");
  });

  it("passes an rng-seed through unchanged", () => {
    const seed = Uint8Array.from({ length: 32 }, (_, i) => i * 7);
    const c = find(parseFdt(buildVirtDeviceTree({ ramBytes: RAM, bootargs: "x", rngSeed: seed })).root, "chosen");
    expect(prop(c, "rng-seed")).toEqual(seed);
  });
});

describe("memory", () => {
  it.each([16n << 20n, 256n << 20n, 3n << 30n, 4n << 30n])("reg matches %d bytes of RAM at 0x80000000", (ram) => {
    const r = parseFdt(buildVirtDeviceTree({ ramBytes: ram, bootargs: "" })).root;
    const mem = find(r, "memory@80000000");
    expect(str1(mem, "device_type")).toBe("memory");
    expect(u64s(mem, "reg")).toEqual([0x8000_0000n, ram]);
  });
});

describe("cpus", () => {
  const cpus = find(root, "cpus");
  const cpu = find(root, "cpus/cpu@0");

  it("describes one RV64GC hart with Sv39", () => {
    expect(u32s(cpus, "#address-cells")).toEqual([1]);
    expect(u32s(cpus, "#size-cells")).toEqual([0]);
    expect(cpus.children.filter((c) => c.name.startsWith("cpu@"))).toHaveLength(1);
    expect(str1(cpu, "device_type")).toBe("cpu");
    expect(u32s(cpu, "reg")).toEqual([0]);
    expect(str1(cpu, "status")).toBe("okay");
    expect(str1(cpu, "riscv,isa")).toMatch(/^rv64imafdc(_|$)/);
    expect(str1(cpu, "mmu-type")).toBe("riscv,sv39");
  });

  it("lists the base extensions in riscv,isa-extensions, consistent with riscv,isa", () => {
    const exts = strs(cpu, "riscv,isa-extensions");
    for (const e of ["i", "m", "a", "f", "d", "c", "zicsr", "zifencei"]) expect(exts).toContain(e);
    const isa = str1(cpu, "riscv,isa");
    for (const multi of exts.filter((e) => e.length > 1)) expect(isa).toContain(`_${multi}`);
    expect(str1(cpu, "riscv,isa-base")).toBe("rv64i");
  });

  it("advertises Sstc by default and not when turned off", () => {
    expect(strs(cpu, "riscv,isa-extensions")).toContain("sstc");
    const c = find(parseFdt(buildVirtDeviceTree({ ramBytes: RAM, bootargs: "", sstc: false })).root, "cpus/cpu@0");
    expect(strs(c, "riscv,isa-extensions")).not.toContain("sstc");
    expect(str1(c, "riscv,isa")).not.toContain("sstc");
  });

  it("has a 10 MHz timebase", () => {
    expect(u32s(cpus, "timebase-frequency")).toEqual([10_000_000]);
  });

  it("has a local interrupt controller", () => {
    const intc = find(cpu, "interrupt-controller");
    expect(str1(intc, "compatible")).toBe("riscv,cpu-intc");
    expect(u32s(intc, "#interrupt-cells")).toEqual([1]);
    expect(intc.props.get("interrupt-controller")).toEqual(new Uint8Array(0));
  });
});

describe("soc devices", () => {
  const phandleOf = (n: Node) => u32s(n, "phandle")[0]!;
  const plic = find(soc, "plic@c000000");
  const intc = find(root, "cpus/cpu@0/interrupt-controller");

  it("is a simple-bus with identity ranges", () => {
    expect(strs(soc, "compatible")).toContain("simple-bus");
    expect(soc.props.get("ranges")).toEqual(new Uint8Array(0));
    expect(u32s(soc, "#address-cells")).toEqual([2]);
    expect(u32s(soc, "#size-cells")).toEqual([2]);
  });

  it("has a PLIC wired to the hart's M and S external interrupts", () => {
    expect(strs(plic, "compatible")).toContain("riscv,plic0");
    expect(u64s(plic, "reg")[0]).toBe(0xc00_0000n);
    expect(u32s(plic, "riscv,ndev")[0]).toBeGreaterThanOrEqual(11);
    expect(u32s(plic, "interrupts-extended")).toEqual([phandleOf(intc), 11, phandleOf(intc), 9]);
  });

  it("has a CLINT with the timer and software interrupts", () => {
    const clint = find(soc, "clint@2000000");
    expect(u64s(clint, "reg")).toEqual([0x200_0000n, 0x10000n]);
    expect(u32s(clint, "interrupts-extended")).toEqual([phandleOf(intc), 3, phandleOf(intc), 7]);
  });

  it("has a 16550 UART on PLIC source 10", () => {
    const uart = find(soc, "serial@10000000");
    expect(str1(uart, "compatible")).toBe("ns16550a");
    expect(u64s(uart, "reg")).toEqual([0x1000_0000n, 0x100n]);
    expect(u32s(uart, "interrupts")).toEqual([10]);
    expect(u32s(uart, "interrupt-parent")).toEqual([phandleOf(plic)]);
    expect(u32s(uart, "clock-frequency")[0]).toBeGreaterThan(0);
  });

  it("has a goldfish RTC", () => {
    const rtc = find(soc, "rtc@101000");
    expect(str1(rtc, "compatible")).toBe("google,goldfish-rtc");
    expect(u64s(rtc, "reg")).toEqual([0x10_1000n, 0x1000n]);
    expect(u32s(rtc, "interrupt-parent")).toEqual([phandleOf(plic)]);
  });

  it("has eight virtio-mmio slots at 0x10001000..0x10008000 on PLIC sources 1..8", () => {
    const slots = soc.children.filter((c) => c.name.startsWith("virtio_mmio@"));
    expect(slots.map((s) => s.name)).toEqual(
      Array.from({ length: 8 }, (_, i) => `virtio_mmio@${(0x1000_1000 + i * 0x1000).toString(16)}`),
    );
    slots.forEach((s, i) => {
      expect(str1(s, "compatible")).toBe("virtio,mmio");
      expect(u64s(s, "reg")).toEqual([0x1000_1000n + BigInt(i) * 0x1000n, 0x1000n]);
      expect(u32s(s, "interrupts")).toEqual([i + 1]);
      expect(u32s(s, "interrupt-parent")).toEqual([phandleOf(plic)]);
    });
  });

  it("has syscon poweroff (0x5555) and reboot (0x7777) through the SiFive test device", () => {
    const test = find(soc, "test@100000");
    expect(strs(test, "compatible")).toEqual(expect.arrayContaining(["sifive,test0", "syscon"]));
    expect(u64s(test, "reg")).toEqual([0x10_0000n, 0x1000n]);
    const poweroff = find(soc, "poweroff");
    const reboot = find(soc, "reboot");
    expect(str1(poweroff, "compatible")).toBe("syscon-poweroff");
    expect(str1(reboot, "compatible")).toBe("syscon-reboot");
    expect(u32s(poweroff, "value")).toEqual([0x5555]);
    expect(u32s(reboot, "value")).toEqual([0x7777]);
    expect(u32s(poweroff, "offset")).toEqual([0]);
    expect(u32s(reboot, "offset")).toEqual([0]);
    expect(u32s(poweroff, "regmap")).toEqual([phandleOf(test)]);
    expect(u32s(reboot, "regmap")).toEqual([phandleOf(test)]);
  });

  it("describes every interrupt source within the PLIC's range", () => {
    const ndev = u32s(plic, "riscv,ndev")[0]!;
    for (const n of soc.children) {
      if (!n.props.has("interrupts")) continue;
      for (const irq of u32s(n, "interrupts")) {
        expect(irq).toBeGreaterThanOrEqual(1);
        expect(irq).toBeLessThanOrEqual(ndev);
      }
    }
  });
});

const dtc = spawnSync("which", ["dtc"], { encoding: "utf8" }).stdout.trim();

describe.skipIf(!dtc)("dtc", () => {
  it("decompiles the DTB without errors or warnings about structure", () => {
    const dir = mkdtempSync(join(tmpdir(), "edgevisor-dtb-"));
    try {
      const f = join(dir, "virt.dtb");
      writeFileSync(f, dtb);
      const r = spawnSync(dtc, ["-I", "dtb", "-O", "dts", f], { encoding: "utf8" });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).not.toMatch(/error/i);
      expect(r.stdout).toContain('bootargs = "console=ttyS0 earlycon=sbi root=/dev/vda rw";');
      expect(r.stdout).toContain('linux,initrd-start = <0x00 0x8f000000>;');
      expect(r.stdout).toMatch(/virtio_mmio@10008000 \{/);
      // Round trip: the dts compiles back to an identical blob.
      const back = spawnSync(dtc, ["-I", "dts", "-O", "dtb", "-o", "-", "-"], { input: r.stdout });
      expect(back.status, back.stderr.toString()).toBe(0);
      expect(parseFdt(new Uint8Array(back.stdout)).root).toEqual(root);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
