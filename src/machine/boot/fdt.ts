// Flattened device tree (devicetree spec v0.4 §5) writer: nodes and properties in, a
// version 17 DTB out. Property values are built with the helpers below (u32 cells,
// 64-bit pairs, strings, string lists).

const FDT_MAGIC = 0xd00dfeed;
const FDT_BEGIN_NODE = 1;
const FDT_END_NODE = 2;
const FDT_PROP = 3;
const FDT_END = 9;

export type PropValue = Uint8Array;

export const cells = (...v: number[]): PropValue => {
  const b = new Uint8Array(v.length * 4);
  const dv = new DataView(b.buffer);
  v.forEach((x, i) => dv.setUint32(i * 4, x >>> 0));
  return b;
};
/** A 64-bit value as two cells (for #address-cells = <2> or #size-cells = <2>). */
export const u64cells = (...v: bigint[]): PropValue =>
  cells(...v.flatMap((x) => [Number((x >> 32n) & 0xffff_ffffn), Number(x & 0xffff_ffffn)]));
export const str = (s: string): PropValue => new TextEncoder().encode(`${s}\0`);
export const strList = (...s: string[]): PropValue => new TextEncoder().encode(s.map((x) => `${x}\0`).join(""));
export const empty = (): PropValue => new Uint8Array(0);

export interface FdtNode {
  name: string;
  props: [string, PropValue][];
  children: FdtNode[];
}

export const node = (name: string, props: [string, PropValue][] = [], children: FdtNode[] = []): FdtNode => ({
  name,
  props,
  children,
});

/** Serialises a tree rooted at `root` (whose name must be ""). */
export function buildFdt(root: FdtNode, bootCpuId = 0): Uint8Array {
  const strings: number[] = [];
  const stringOffsets = new Map<string, number>();
  const struct: number[] = [];
  const enc = new TextEncoder();

  const u32 = (v: number) => struct.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
  const pad = () => { while (struct.length % 4) struct.push(0); };
  const stringOff = (name: string): number => {
    let off = stringOffsets.get(name);
    if (off === undefined) {
      off = strings.length;
      strings.push(...enc.encode(name), 0);
      stringOffsets.set(name, off);
    }
    return off;
  };
  const emit = (n: FdtNode) => {
    u32(FDT_BEGIN_NODE);
    struct.push(...enc.encode(n.name), 0);
    pad();
    for (const [name, value] of n.props) {
      u32(FDT_PROP);
      u32(value.length);
      u32(stringOff(name));
      for (const b of value) struct.push(b);
      pad();
    }
    for (const c of n.children) emit(c);
    u32(FDT_END_NODE);
  };
  emit(root);
  u32(FDT_END);

  const headerSize = 40;
  const rsvmapOff = headerSize;
  const rsvmapSize = 16; // one terminating empty entry
  const structOff = rsvmapOff + rsvmapSize;
  const stringsOff = structOff + struct.length;
  const total = (stringsOff + strings.length + 7) & ~7;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, FDT_MAGIC);
  dv.setUint32(4, total);
  dv.setUint32(8, structOff);
  dv.setUint32(12, stringsOff);
  dv.setUint32(16, rsvmapOff);
  dv.setUint32(20, 17); // version
  dv.setUint32(24, 16); // last compatible version
  dv.setUint32(28, bootCpuId);
  dv.setUint32(32, strings.length);
  dv.setUint32(36, struct.length);
  out.set(struct, structOff);
  out.set(strings, stringsOff);
  return out;
}
