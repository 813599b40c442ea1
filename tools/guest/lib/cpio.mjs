// Minimal, deterministic writer for the "newc" cpio format (the format the
// Linux kernel unpacks as an initramfs). Written here so that building an
// initramfs needs neither root (device nodes, uid 0) nor the cpio tool.
//
// Entries are { path, type: 'dir'|'file'|'symlink'|'char'|'block', mode,
// data (Buffer, for files), target (for symlinks), major, minor }.
// Owners are always 0:0, mtimes are fixed, so equal inputs give equal bytes.

import fs from 'node:fs';
import path from 'node:path';

const TYPE_BITS = { dir: 0o040000, file: 0o100000, symlink: 0o120000, char: 0o020000, block: 0o060000 };

function hex8(n) {
  return (n >>> 0).toString(16).padStart(8, '0');
}

function pad4(len) {
  return (4 - (len % 4)) % 4;
}

/** Serialise entries (sorted so parents come before children) to a newc archive. */
export function writeCpio(entries, { mtime = 0 } = {}) {
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const chunks = [];
  let ino = 1;
  const push = (name, mode, data, { nlink = 1, rmaj = 0, rmin = 0, inode = 0 } = {}) => {
    const nameBuf = Buffer.from(name + '\0', 'utf8');
    const header =
      '070701' +
      hex8(inode) + hex8(mode) + hex8(0) + hex8(0) + hex8(nlink) + hex8(mtime) +
      hex8(data.length) + hex8(0) + hex8(0) + hex8(rmaj) + hex8(rmin) +
      hex8(nameBuf.length) + hex8(0);
    chunks.push(Buffer.from(header, 'ascii'), nameBuf, Buffer.alloc(pad4(110 + nameBuf.length)));
    chunks.push(data, Buffer.alloc(pad4(data.length)));
  };
  for (const e of sorted) {
    const name = e.path.replace(/^\/+/, '');
    if (!name || name === '.') continue;
    const bits = TYPE_BITS[e.type];
    if (bits === undefined) throw new Error(`cpio: unknown entry type ${e.type} for ${e.path}`);
    let data = Buffer.alloc(0);
    if (e.type === 'file') data = e.data;
    else if (e.type === 'symlink') data = Buffer.from(e.target, 'utf8');
    const mode = bits | ((e.mode ?? (e.type === 'dir' ? 0o755 : e.type === 'symlink' ? 0o777 : 0o644)) & 0o7777);
    push(name, mode, data, {
      nlink: e.type === 'dir' ? 2 : 1,
      rmaj: e.major ?? 0,
      rmin: e.minor ?? 0,
      inode: ino++,
    });
  }
  push('TRAILER!!!', 0, Buffer.alloc(0));
  const out = Buffer.concat(chunks);
  // The kernel does not need it, but pad to 512 bytes like cpio(1) does.
  return Buffer.concat([out, Buffer.alloc(pad512(out.length))]);
}

function pad512(len) {
  return (512 - (len % 512)) % 512;
}

/** Collect entries from a staging directory (regular files, dirs, symlinks). */
export function entriesFromDir(root) {
  const entries = [];
  const walk = (rel) => {
    const abs = path.join(root, rel);
    for (const name of fs.readdirSync(abs).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const p = path.join(root, r);
      const st = fs.lstatSync(p);
      if (st.isSymbolicLink()) entries.push({ path: r, type: 'symlink', target: fs.readlinkSync(p) });
      else if (st.isDirectory()) {
        entries.push({ path: r, type: 'dir', mode: st.mode & 0o7777 });
        walk(r);
      } else if (st.isFile()) entries.push({ path: r, type: 'file', mode: st.mode & 0o7777, data: fs.readFileSync(p) });
      else throw new Error(`cpio: unsupported file type at ${p}`);
    }
  };
  walk('');
  return entries;
}
