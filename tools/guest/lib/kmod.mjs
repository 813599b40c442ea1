// Kernel-module helpers for building an initramfs from a Debian linux-image
// package without depmod: reads each module's .modinfo ELF section (depends=,
// softdep=, alias=), resolves dependencies, and writes modules.dep & co. for
// just the modules that go into the initramfs.

import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

/** Decompressed bytes of a .ko / .ko.xz / .ko.zst / .ko.gz file. */
export function readModule(file) {
  if (file.endsWith('.ko')) return fs.readFileSync(file);
  const tool = file.endsWith('.xz') ? 'xz' : file.endsWith('.zst') ? 'zstd' : file.endsWith('.gz') ? 'gzip' : null;
  if (!tool) throw new Error(`unknown module compression: ${file}`);
  return execFileSync(tool, ['-dc', file], { maxBuffer: 1 << 30 });
}

/** key=value strings of an ELF64 little-endian object's .modinfo section. */
export function modinfo(elf) {
  if (elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2 || elf[5] !== 1) throw new Error('not an ELF64 LE object');
  const shoff = Number(elf.readBigUInt64LE(0x28));
  const shentsize = elf.readUInt16LE(0x3a);
  const shnum = elf.readUInt16LE(0x3c);
  const shstrndx = elf.readUInt16LE(0x3e);
  const sec = (i) => {
    const o = shoff + i * shentsize;
    return { name: elf.readUInt32LE(o), off: Number(elf.readBigUInt64LE(o + 0x18)), size: Number(elf.readBigUInt64LE(o + 0x20)) };
  };
  const strtab = sec(shstrndx);
  const nameOf = (s) => {
    const start = strtab.off + s.name;
    return elf.toString('latin1', start, elf.indexOf(0, start));
  };
  for (let i = 0; i < shnum; i++) {
    const s = sec(i);
    if (nameOf(s) !== '.modinfo') continue;
    const info = {};
    for (const kv of elf.toString('utf8', s.off, s.off + s.size).split('\0')) {
      const eq = kv.indexOf('=');
      if (eq <= 0) continue;
      (info[kv.slice(0, eq)] ??= []).push(kv.slice(eq + 1));
    }
    return info;
  }
  return {};
}

const norm = (name) => name.replace(/-/g, '_');

/** Map normalised module name -> path relative to the modules dir, for every module file. */
export function indexModules(modDir) {
  const index = new Map();
  const walk = (rel) => {
    for (const ent of fs.readdirSync(path.join(modDir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${ent.name}` : ent.name;
      if (ent.isDirectory()) walk(r);
      else if (/\.ko(\.(xz|zst|gz))?$/.test(ent.name)) index.set(norm(ent.name.replace(/\.ko(\.(xz|zst|gz))?$/, '')), r);
    }
  };
  walk('kernel');
  return index;
}

/**
 * Resolve `wanted` (module names) with their hard dependencies and "pre:"
 * soft dependencies into a load order (dependencies first). Returns
 * [{ name, rel, relKo, data, info, deps }] with data decompressed.
 */
export function resolveModules(modDir, wanted, { builtin = new Set() } = {}) {
  const index = indexModules(modDir);
  const loaded = new Map();
  const order = [];
  const visit = (raw, stack, optional) => {
    const name = norm(raw);
    if (loaded.has(name) || builtin.has(name)) return;
    const rel = index.get(name);
    if (!rel) {
      if (optional) return;
      throw new Error(`module ${raw} not found under ${modDir} (needed by ${stack.join(' <- ') || 'the image list'})`);
    }
    if (stack.includes(name)) throw new Error(`module dependency cycle: ${[...stack, name].join(' -> ')}`);
    const data = readModule(path.join(modDir, rel));
    const info = modinfo(data);
    const deps = (info.depends?.[0] ?? '').split(',').filter(Boolean).map(norm);
    const softPre = (info.softdep ?? []).flatMap((s) => {
      const m = /pre:\s*([^:]*?)(\s+post:|$)/.exec(s);
      return m ? m[1].trim().split(/\s+/).filter(Boolean) : [];
    });
    for (const d of deps) visit(d, [...stack, name], false);
    for (const d of softPre) visit(d, [...stack, name], true);
    const mod = { name, rel, relKo: rel.replace(/\.ko(\.(xz|zst|gz))?$/, '.ko'), data, info, deps, softPre };
    loaded.set(name, mod);
    order.push(mod);
  };
  for (const w of wanted) visit(w, [], false);
  // modules.dep lists every transitive hard dependency, nearest first.
  for (const m of order) {
    const all = [];
    const add = (n) => {
      for (const d of loaded.get(n)?.deps ?? []) {
        if (!all.includes(d) && loaded.has(d)) {
          all.push(d);
          add(d);
        }
      }
    };
    add(m.name);
    m.allDeps = all.map((d) => loaded.get(d).relKo);
  }
  return order;
}

/** Write decompressed modules and modules.{dep,alias,softdep,order} into destModDir. */
export function installModules(order, destModDir) {
  const dep = [];
  const alias = ['# Aliases extracted from modules, only for the modules in this initramfs.'];
  const softdep = ['# Soft dependencies extracted from modules, only for the modules in this initramfs.'];
  for (const m of order) {
    const dest = path.join(destModDir, m.relKo);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.writeFileSync(dest, m.data);
    dep.push(`${m.relKo}: ${m.allDeps.join(' ')}`.trimEnd());
    for (const a of m.info.alias ?? []) alias.push(`alias ${a} ${m.name}`);
    for (const s of m.info.softdep ?? []) softdep.push(`softdep ${m.name} ${s}`);
  }
  fs.writeFileSync(path.join(destModDir, 'modules.dep'), dep.join('\n') + '\n');
  fs.writeFileSync(path.join(destModDir, 'modules.alias'), alias.join('\n') + '\n');
  fs.writeFileSync(path.join(destModDir, 'modules.softdep'), softdep.join('\n') + '\n');
  fs.writeFileSync(path.join(destModDir, 'modules.order'), order.map((m) => m.relKo).join('\n') + '\n');
}
