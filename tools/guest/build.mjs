#!/usr/bin/env node
// Edgevisor guest images: `npm run images` (see tools/guest/README.md).
//
//   node tools/guest/build.mjs                    Debian kernel + initrd, OpenSBI, test disk, userland disk
//   node tools/guest/build.mjs --small            ... and the small kernel (linux-source-6.1)
//   node tools/guest/build.mjs --only-small       only the small kernel
//   node tools/guest/build.mjs --refresh          re-resolve package versions from fresh apt lists
//   node tools/guest/build.mjs --force            rebuild even if the inputs did not change
//   node tools/guest/build.mjs --blank-disk FILE SIZE   make an empty ext4 image (SIZE as mke2fs: 64M, 1G)
//
// Everything is cached: packages are resolved once (cache/resolved.json) and
// downloaded once (cache/debs/); every output directory carries an
// inputs.sha256 and is rebuilt only when that hash changes.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PrivateApt } from './lib/apt.mjs';
import { writeCpio, entriesFromDir } from './lib/cpio.mjs';
import { resolveModules, installModules } from './lib/kmod.mjs';
import { sha256, sha256File, run, have, rmrf, mkdirp, writeIfChanged, readJson, human } from './lib/util.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const OUT = path.join(HERE, 'out');
// EDGEVISOR_GUEST_CACHE moves the cache (downloads, kernel tree, built outputs) out of the
// work tree, e.g. to share it between CI runs in fresh clones on the same machine.
const CACHE = path.resolve(process.env.EDGEVISOR_GUEST_CACHE || path.join(HERE, 'cache'));
const STORE = path.join(CACHE, 'store');
const DEBS = path.join(CACHE, 'debs');
const REL = (p) => path.relative(process.cwd(), p) || '.';

// Bump when the way an output is produced changes (forces a rebuild of that output).
const RECIPE = { debian: 1, disk: 1, opensbi: 1, small: 2, userland: 1 };

// Modules the Debian initramfs loads, in this order after their dependencies.
// crc32c_generic backs ext4/jbd2 metadata checksums (their "softdep pre: crc32c").
const DEBIAN_MODULES = ['virtio_mmio', 'virtio_blk', 'virtio_balloon', 'virtio_rng', 'crc32c_generic', 'ext4'];

// Options the small kernel must end up with after olddefconfig ('n' = must be off).
const SMALL_REQUIRED = {
  MMU: 'y', ARCH_RV64I: 'y', SOC_VIRT: 'y', NONPORTABLE: 'n', SMP: 'n', FPU: 'y', RISCV_ISA_C: 'y',
  RISCV_SBI: 'y', RISCV_TIMER: 'y', SIFIVE_PLIC: 'y', PRINTK: 'y', TTY: 'y',
  SERIAL_8250: 'y', SERIAL_8250_CONSOLE: 'y', SERIAL_OF_PLATFORM: 'y', SERIAL_EARLYCON: 'y',
  VIRTIO_MMIO: 'y', VIRTIO_BLK: 'y', VIRTIO_BALLOON: 'y', HW_RANDOM_VIRTIO: 'y', EXT4_FS: 'y',
  BLK_DEV_INITRD: 'y', RTC_DRV_GOLDFISH: 'y', POWER_RESET_SYSCON: 'y', POWER_RESET_SYSCON_POWEROFF: 'y',
  DEVTMPFS: 'y', PROC_FS: 'y', SYSFS: 'y', BINFMT_ELF: 'y', BINFMT_SCRIPT: 'y',
  INITRAMFS_COMPRESSION_NONE: 'y', SLOB: 'y', EXPERT: 'y',
  MODULES: 'n', NET: 'n', DEBUG_INFO: 'n',
};

/**
 * Debian's own riscv64 programs for the userland disk (out/userland.img): the packages'
 * files unpacked into one merged-/usr tree, run with `chroot /mnt` from the small kernel's
 * shell (tests/linux/debian-userland.test.ts). The list is closed under the Depends of
 * the programs used (gawk, mawk, bc, coreutils, xz, openssl, python3.13).
 */
const USERLAND_PACKAGES = [
  'libc6', 'libgcc-s1', 'gawk', 'libmpfr6', 'libgmp10', 'libsigsegv2', 'libreadline8t64', 'libtinfo6',
  'libncursesw6', 'mawk', 'bc', 'coreutils', 'libacl1', 'libattr1', 'libselinux1', 'libpcre2-8-0', 'libcap2',
  'xz-utils', 'liblzma5', 'openssl', 'libssl3t64', 'libzstd1', 'zlib1g', 'python3.13-minimal',
  'libpython3.13-minimal', 'libexpat1',
];

// ---------------------------------------------------------------- arguments
const argv = process.argv.slice(2);
const flags = new Set(argv.filter((a) => a.startsWith('--')));
const known = ['--small', '--only-small', '--refresh', '--force', '--blank-disk', '--verbose', '--help'];
for (const f of flags) if (!known.includes(f)) die(`unknown option ${f} (try --help)`);
if (flags.has('--help')) {
  console.log(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 14).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
  process.exit(0);
}
const FORCE = flags.has('--force');
const REFRESH = flags.has('--refresh');
const VERBOSE = flags.has('--verbose');

function die(msg) {
  console.error(`images: ${msg}`);
  process.exit(1);
}
const say = (msg) => console.log(`images: ${msg}`);
const info = (msg) => VERBOSE && console.log(`images: ${msg}`);

// ---------------------------------------------------------------- lock
mkdirp(CACHE);
const LOCK = path.join(CACHE, '.lock');
function lock() {
  for (let i = 0; ; i++) {
    try {
      fs.writeFileSync(LOCK, String(process.pid), { flag: 'wx' });
      return;
    } catch {
      const pid = Number(fs.readFileSync(LOCK, 'utf8')) || 0;
      let alive = false;
      try {
        if (pid) process.kill(pid, 0), (alive = true);
      } catch {}
      if (!alive) {
        fs.rmSync(LOCK, { force: true });
        continue;
      }
      if (i === 0) say(`waiting for another build (pid ${pid}) to finish`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
    }
  }
}
if (flags.has('--blank-disk')) {
  const i = argv.indexOf('--blank-disk');
  const [file, size] = [argv[i + 1], argv[i + 2]];
  if (!file || !size || file.startsWith('--')) die('usage: --blank-disk FILE SIZE (e.g. 128M)');
  try {
    mkext4(file, size, null);
  } catch (e) {
    die(e.message);
  }
  say(`blank ext4 disk: ${file} (${size})`);
  process.exit(0);
}
lock();
process.on('exit', () => {
  try {
    if (fs.readFileSync(LOCK, 'utf8') === String(process.pid)) fs.rmSync(LOCK, { force: true });
  } catch {}
});

// ---------------------------------------------------------------- packages
const resolvedFile = path.join(CACHE, 'resolved.json');
const resolved = readJson(resolvedFile, {});
const apts = {};
const aptFor = (suite) => (apts[suite] ??= new PrivateApt(CACHE, suite));

/** Real package names for the symbolic names we use. */
function realName(apt, name) {
  if (name !== 'linux-image') return name;
  const dep = apt.show('linux-image-riscv64').Depends ?? '';
  const m = /linux-image-6\.12\.[^\s,()]*-riscv64/.exec(dep);
  if (!m) throw new Error(`cannot find the linux-image-6.12.*-riscv64 package in linux-image-riscv64's Depends: ${dep}`);
  return m[0];
}

/**
 * Resolve and fetch packages of one suite. Versions are pinned in
 * cache/resolved.json until --refresh (or until a pinned .deb cannot be had).
 */
function packages(suite, names) {
  const pinned = resolved[suite] ?? {};
  const ok = (p) => p && fs.existsSync(path.join(DEBS, p.filename));
  if (!REFRESH && names.every((n) => ok(pinned[n]))) {
    return Object.fromEntries(names.map((n) => [n, { ...pinned[n], deb: path.join(DEBS, pinned[n].filename) }]));
  }
  const apt = aptFor(suite);
  if (REFRESH || !apt.hasLists()) {
    say(`updating apt lists (${suite}, ${apt.conf.arch})`);
    apt.update();
  }
  const result = {};
  for (const n of names) {
    let p = !REFRESH && pinned[n] ? pinned[n] : apt.locate(realName(apt, n));
    let deb;
    try {
      if (!ok(p)) say(`downloading ${p.name} ${p.version} (${human(p.size)})`);
      deb = apt.fetch(p, DEBS);
    } catch (e) {
      if (apt.updated) throw e;
      // Pinned version gone from the mirror or stale lists: refresh once and retry.
      say(`${p.name} ${p.version} not available (${e.message.split('\n')[0]}); refreshing apt lists`);
      apt.update();
      p = apt.locate(realName(apt, n));
      say(`downloading ${p.name} ${p.version} (${human(p.size)})`);
      deb = apt.fetch(p, DEBS);
    }
    result[n] = { ...p, deb };
    pinned[n] = { name: p.name, version: p.version, filename: p.filename, size: p.size, sha256: p.sha256, url: p.url };
  }
  resolved[suite] = pinned;
  fs.writeFileSync(resolvedFile, JSON.stringify(resolved, null, 2) + '\n');
  pruneDebs();
  return result;
}

function pruneDebs() {
  const keep = new Set(Object.values(resolved).flatMap((s) => Object.values(s).map((p) => p.filename)));
  for (const f of fs.existsSync(DEBS) ? fs.readdirSync(DEBS) : []) {
    if (f.endsWith('.deb') && !keep.has(f)) fs.rmSync(path.join(DEBS, f));
  }
}

// ---------------------------------------------------------------- stamps
const fileHash = (...rel) => sha256(rel.map((r) => sha256File(path.join(HERE, r))).join('\n'));

/**
 * True when `dir` holds outputs built from inputs hashing to `key`, either
 * already or after restoring them from the cache's store (a copy of the last
 * build of each output directory, keyed by its inputs).
 */
function upToDate(dir, key, outputs) {
  if (FORCE) return false;
  const complete = (d) => {
    const stamp = path.join(d, 'inputs.sha256');
    return fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8').trim() === key && outputs.every((o) => fs.existsSync(path.join(d, o)));
  };
  if (complete(dir)) return true;
  const saved = path.join(STORE, path.basename(dir), key);
  if (!complete(saved)) return false;
  rmrf(dir);
  fs.cpSync(saved, dir, { recursive: true });
  built.push('restore');
  say(`restored ${REL(dir)} from ${REL(saved)}`);
  return true;
}

function writeStamp(dir, key) {
  fs.writeFileSync(path.join(dir, 'inputs.sha256'), key + '\n');
  const store = path.join(STORE, path.basename(dir));
  rmrf(store);
  mkdirp(store);
  fs.cpSync(dir, path.join(store, key), { recursive: true });
}

function extractDeb(deb, dest) {
  rmrf(dest);
  mkdirp(dest);
  run('dpkg-deb', ['-x', deb, dest]);
  return dest;
}

const built = [];
const report = (msg) => {
  built.push(msg);
  say(`built ${msg}`);
};

// ---------------------------------------------------------------- Debian kernel + initramfs
function buildDebian(pk) {
  const dir = path.join(OUT, 'debian');
  const key = sha256(
    JSON.stringify({ r: RECIPE.debian, k: pk['linux-image'].sha256, b: pk['busybox-static'].sha256, m: DEBIAN_MODULES }) +
      fileHash('build.mjs', 'lib/cpio.mjs', 'lib/kmod.mjs', 'rootfs/init'),
  );
  if (upToDate(dir, key, ['Image', 'initrd.cpio.gz', 'version.txt'])) return info('debian kernel up to date');

  const work = mkdirp(path.join(CACHE, 'work'));
  const kx = extractDeb(pk['linux-image'].deb, path.join(work, 'linux-image'));
  const bb = busyboxBinary(pk);
  const modRoot = ['usr/lib/modules', 'lib/modules'].map((d) => path.join(kx, d)).find((d) => fs.existsSync(d));
  if (!modRoot) throw new Error('no lib/modules in the linux-image package');
  const [kver] = fs.readdirSync(modRoot);
  const modDir = path.join(modRoot, kver);

  // Kernel: /boot/vmlinux-* (raw Image with the PE/EFI stub header) or vmlinuz-* (compressed).
  const boot = path.join(kx, 'boot');
  const kfile = fs.readdirSync(boot).find((f) => /^vmlinu[xz]-/.test(f));
  if (!kfile) throw new Error('no /boot/vmlinu[xz]-* in the linux-image package');
  let image = fs.readFileSync(path.join(boot, kfile));
  if (image[0] === 0x1f && image[1] === 0x8b) {
    const raw = path.join(work, 'Image.raw');
    run('sh', ['-c', 'gzip -dc "$1" > "$2"', 'sh', path.join(boot, kfile), raw]);
    image = fs.readFileSync(raw);
    fs.rmSync(raw);
  }
  if (image.toString('latin1', 0x38, 0x3c) !== 'RSC\x05') {
    throw new Error(`${kfile} is not a raw RISC-V Image (no RSC\\x05 magic at 0x38); file says: ${run('file', ['-b', path.join(boot, kfile)]).trim()}`);
  }

  // Initramfs.
  const builtin = new Set(
    fs.readFileSync(path.join(modDir, 'modules.builtin'), 'utf8').split('\n').filter(Boolean).map((l) => path.basename(l, '.ko').replace(/-/g, '_')),
  );
  const order = resolveModules(modDir, DEBIAN_MODULES, { builtin });
  const stage = path.join(work, 'initramfs-debian');
  rmrf(stage);
  const destMod = mkdirp(path.join(stage, 'lib/modules', kver));
  installModules(order, destMod);
  for (const f of ['modules.builtin', 'modules.builtin.modinfo']) {
    if (fs.existsSync(path.join(modDir, f))) fs.copyFileSync(path.join(modDir, f), path.join(destMod, f));
  }
  mkdirp(path.join(stage, 'etc'));
  fs.writeFileSync(
    path.join(stage, 'etc/modules.load'),
    `# insmod order (dependencies first), relative to /lib/modules/${kver}\n` + order.map((m) => m.relKo).join('\n') + '\n',
  );
  const entries = [...baseRootfs(bb), ...entriesFromDir(stage)];
  const cpio = writeCpio(entries);

  rmrf(dir);
  mkdirp(dir);
  fs.writeFileSync(path.join(dir, 'Image'), image);
  // gzip through a file: Node's spawnSync with utf8 encoding would mangle binary output.
  const cpioFile = path.join(work, 'initrd.cpio');
  fs.writeFileSync(cpioFile, cpio);
  run('sh', ['-c', `gzip -9 -n -c "$1" > "$2"`, 'sh', cpioFile, path.join(dir, 'initrd.cpio.gz')]);
  fs.rmSync(cpioFile);
  fs.writeFileSync(path.join(dir, 'version.txt'), kver + '\n');
  const cfg = fs.readdirSync(boot).find((f) => f.startsWith('config-'));
  if (cfg) fs.copyFileSync(path.join(boot, cfg), path.join(dir, 'config'));
  fs.writeFileSync(path.join(dir, 'modules.txt'), order.map((m) => m.relKo).join('\n') + '\n');
  writeStamp(dir, key);
  rmrf(kx);
  rmrf(stage);
  const initrdSize = fs.statSync(path.join(dir, 'initrd.cpio.gz')).size;
  report(`debian kernel ${kver} (${pk['linux-image'].name} ${pk['linux-image'].version}): ${REL(path.join(dir, 'Image'))} (${human(image.length)}), ` +
    `${REL(path.join(dir, 'initrd.cpio.gz'))} (${human(initrdSize)}, ${order.length} modules)`);
}

let busyboxCache;
function busyboxBinary(pk) {
  if (busyboxCache) return busyboxCache;
  const bx = extractDeb(pk['busybox-static'].deb, path.join(CACHE, 'work', 'busybox'));
  const file = ['bin/busybox', 'usr/bin/busybox'].map((p) => path.join(bx, p)).find((p) => fs.existsSync(p));
  if (!file) throw new Error('no busybox binary in busybox-static');
  busyboxCache = fs.readFileSync(file);
  rmrf(bx);
  return busyboxCache;
}

/** The common initramfs skeleton: busybox, /init, /dev/console (applet links are made at boot). */
function baseRootfs(bb) {
  const dirs = ['bin', 'sbin', 'usr', 'usr/bin', 'usr/sbin', 'dev', 'proc', 'sys', 'mnt', 'tmp', 'run', 'root', 'etc', 'lib'];
  return [
    ...dirs.map((d) => ({ path: d, type: 'dir', mode: d === 'tmp' ? 0o1777 : 0o755 })),
    { path: 'bin/busybox', type: 'file', mode: 0o755, data: bb },
    { path: 'bin/sh', type: 'symlink', target: 'busybox' },
    { path: 'init', type: 'file', mode: 0o755, data: fs.readFileSync(path.join(HERE, 'rootfs/init')) },
    { path: 'dev/console', type: 'char', mode: 0o600, major: 5, minor: 1 },
    { path: 'dev/null', type: 'char', mode: 0o666, major: 1, minor: 3 },
  ];
}

// ---------------------------------------------------------------- OpenSBI
function buildOpensbi(pk) {
  const dir = path.join(OUT, 'opensbi');
  const key = sha256(JSON.stringify({ r: RECIPE.opensbi, o: pk.opensbi.sha256 }));
  if (upToDate(dir, key, ['fw_dynamic.bin', 'fw_dynamic.elf'])) return info('opensbi up to date');
  const ox = extractDeb(pk.opensbi.deb, path.join(CACHE, 'work', 'opensbi'));
  const src = path.join(ox, 'usr/lib/riscv64-linux-gnu/opensbi/generic');
  rmrf(dir);
  mkdirp(dir);
  for (const f of ['fw_dynamic.bin', 'fw_dynamic.elf']) fs.copyFileSync(path.join(src, f), path.join(dir, f));
  fs.writeFileSync(path.join(dir, 'version.txt'), `${pk.opensbi.name} ${pk.opensbi.version}\n`);
  writeStamp(dir, key);
  rmrf(ox);
  report(`opensbi ${pk.opensbi.version}: ${REL(path.join(dir, 'fw_dynamic.bin'))}`);
}

// ---------------------------------------------------------------- test disk
function mkext4(file, size, rootDir) {
  if (!have('mke2fs')) die('mke2fs not found: apt-get install e2fsprogs');
  mkdirp(path.dirname(path.resolve(file)));
  fs.rmSync(file, { force: true });
  // The test disk is reproducible (fixed UUID, hash seed and time); blank disks get a fresh UUID.
  const args = rootDir
    ? ['-L', 'edgevisor', '-U', 'e5d9e7a0-0000-4000-8000-000000000001', '-E', 'root_owner=0:0,hash_seed=e5d9e7a0-0000-4000-8000-000000000002', '-d', rootDir]
    : ['-E', 'root_owner=0:0'];
  args.unshift('-q', '-t', 'ext4', '-F');
  run('mke2fs', [...args, file, size], { env: rootDir ? { E2FSPROGS_FAKE_TIME: '1700000000' } : {} });
  if (rootDir) {
    // mke2fs copies ctimes from the host (always "now"): pin them so the image is byte-reproducible.
    const paths = ['/', ...entriesFromDir(rootDir).map((e) => `/${e.path}`)];
    const script = paths.flatMap((p) => [`sif "${p}" ctime @1700000000`, `sif "${p}" crtime @1700000000`]).join('\n') + '\n';
    run('debugfs', ['-w', '-f', '-', file], { input: script });
  }
}

/**
 * A disk image's stamp (NAME.inputs.sha256 beside NAME.img): the hash of its inputs and the
 * image's own hash, so an image a guest wrote to is replaced by a pristine one.
 */
const imageStamp = (file) => file.replace(/\.img$/, '.inputs.sha256');
function imageUpToDate(file, key) {
  const stamp = readJson(imageStamp(file), {});
  return !FORCE && stamp.key === key && fs.existsSync(file) && stamp.sha256 === sha256File(file);
}
function stampImage(file, key) {
  fs.writeFileSync(imageStamp(file), JSON.stringify({ key, sha256: sha256File(file) }) + '\n');
}

function buildDisk(pk) {
  const file = path.join(OUT, 'disk.img');
  const key = sha256(JSON.stringify({ r: RECIPE.disk, b: pk['busybox-static'].sha256 }) + fileHash('build.mjs'));
  if (imageUpToDate(file, key)) return info('disk up to date');
  const root = path.join(CACHE, 'work', 'disk-root');
  rmrf(root);
  mkdirp(path.join(root, 'bin'));
  fs.writeFileSync(path.join(root, 'bin/busybox'), busyboxBinary(pk), { mode: 0o755 });
  fs.writeFileSync(path.join(root, 'hello.txt'), 'hello from the edgevisor test disk\n');
  fs.writeFileSync(
    path.join(root, 'README'),
    'Edgevisor test disk (ext4), built by tools/guest/build.mjs.\nThe guest /init mounts it on /mnt.\n/bin/busybox is busybox-static ' +
      pk['busybox-static'].version + ' (riscv64).\n',
  );
  for (const p of [root, ...['bin', 'bin/busybox', 'hello.txt', 'README'].map((r) => path.join(root, r))]) fs.utimesSync(p, 1700000000, 1700000000);
  mkext4(file, '64M', root);
  rmrf(root);
  stampImage(file, key);
  report(`test disk (ext4, 64 MiB): ${REL(file)}`);
}

// ---------------------------------------------------------------- userland disk
function buildUserland(pk) {
  const file = path.join(OUT, 'userland.img');
  const key = sha256(JSON.stringify({ r: RECIPE.userland, p: USERLAND_PACKAGES.map((n) => pk[n].sha256) }) + fileHash('build.mjs'));
  if (imageUpToDate(file, key)) return info('userland disk up to date');
  const root = path.join(CACHE, 'work', 'userland-root');
  rmrf(root);
  mkdirp(root);
  for (const n of USERLAND_PACKAGES) run('dpkg-deb', ['-x', pk[n].deb, root]);
  // Debian's merged /usr: the dynamic loader is looked up as /lib/ld-linux-riscv64-lp64d.so.1.
  for (const d of ['bin', 'sbin', 'lib']) if (!fs.existsSync(path.join(root, d))) fs.symlinkSync(`usr/${d}`, path.join(root, d));
  for (const d of ['tmp', 'dev', 'proc']) mkdirp(path.join(root, d));
  fs.chmodSync(path.join(root, 'tmp'), 0o1777);
  mkext4(file, '160M', root);
  rmrf(root);
  stampImage(file, key);
  report(`userland disk (ext4, 160 MiB, ${USERLAND_PACKAGES.length} Debian packages): ${REL(file)}`);
}

// ---------------------------------------------------------------- small kernel
function requireHostTools(tools) {
  const missing = tools.filter(([cmd]) => !have(cmd));
  if (missing.length) die(`missing host tools: ${missing.map(([c]) => c).join(', ')}; install with: apt-get install -y ${[...new Set(missing.map(([, p]) => p))].join(' ')}`);
}

function buildSmall(pk) {
  requireHostTools([
    ['riscv64-linux-gnu-gcc', 'gcc-riscv64-linux-gnu'], ['make', 'make'], ['flex', 'flex'], ['bison', 'bison'],
    ['bc', 'bc'], ['perl', 'perl'], ['xz', 'xz-utils'], ['cc', 'gcc'],
  ]);
  const dir = path.join(OUT, 'small');
  const src = pk['linux-source-6.1'];
  const cross = 'riscv64-linux-gnu-';
  const gccVersion = run(`${cross}gcc`, ['--version']).split('\n')[0];

  // The built-in initramfs (uncompressed cpio: nothing to decompress at boot).
  const cpio = writeCpio(baseRootfs(busyboxBinary(pk)));
  const cpioFile = path.join(CACHE, 'small-initramfs.cpio');
  writeIfChanged(cpioFile, cpio);

  const fragmentText = fs.readFileSync(path.join(HERE, 'small-kernel.config'), 'utf8');
  const key = sha256(JSON.stringify({ r: RECIPE.small, src: src.sha256, frag: sha256(fragmentText), cpio: sha256(cpio), gcc: gccVersion }));
  if (upToDate(dir, key, ['Image', 'version.txt'])) return info('small kernel up to date');

  // Source tree, extracted once per linux-source version.
  const srcRoot = path.join(CACHE, 'linux-src');
  const srcDir = path.join(srcRoot, src.version, 'linux-source-6.1');
  const doneMark = path.join(srcRoot, src.version, '.complete');
  if (!fs.existsSync(doneMark)) {
    rmrf(srcRoot);
    mkdirp(path.dirname(srcDir));
    say(`unpacking ${src.name} ${src.version}`);
    run('sh', ['-c', 'set -e; dpkg-deb --fsys-tarfile "$1" | tar -xO ./usr/src/linux-source-6.1.tar.xz | tar -xJ -C "$2"', 'sh', src.deb, path.dirname(srcDir)]);
    fs.writeFileSync(doneMark, '');
  }
  const buildDir = path.join(CACHE, 'small-build');
  const buildStamp = path.join(buildDir, '.source');
  if (fs.existsSync(buildDir) && (!fs.existsSync(buildStamp) || fs.readFileSync(buildStamp, 'utf8') !== src.version)) rmrf(buildDir);
  mkdirp(buildDir);
  fs.writeFileSync(buildStamp, src.version);

  const fragment = path.join(buildDir, 'allconfig.fragment');
  fs.writeFileSync(
    fragment,
    fragmentText.replace(/^CONFIG_INITRAMFS_SOURCE=.*$/m, '') + `\nCONFIG_INITRAMFS_SOURCE="${cpioFile}"\n`,
  );
  const log = path.join(CACHE, 'small-build.log');
  fs.writeFileSync(log, '');
  const jobs = String(Math.max(1, os.availableParallelism?.() ?? os.cpus().length));
  const make = (...targets) =>
    run('make', ['-C', srcDir, `O=${buildDir}`, 'ARCH=riscv', `CROSS_COMPILE=${cross}`, `-j${jobs}`, ...targets], {
      log,
      env: { KCONFIG_ALLCONFIG: fragment, KBUILD_BUILD_TIMESTAMP: '2024-01-01', KBUILD_BUILD_USER: 'edgevisor', KBUILD_BUILD_HOST: 'edgevisor', KBUILD_BUILD_VERSION: '1' },
    });
  make('allnoconfig');
  const config = fs.readFileSync(path.join(buildDir, '.config'), 'utf8');
  const bad = Object.entries(SMALL_REQUIRED).filter(([sym, want]) => {
    const on = new RegExp(`^CONFIG_${sym}=y$`, 'm').test(config);
    return want === 'y' ? !on : on;
  });
  if (bad.length) die(`small kernel config: ${bad.map(([s, w]) => `CONFIG_${s} should be ${w}`).join(', ')} (fix tools/guest/small-kernel.config)`);

  const t0 = Date.now();
  say(`building the small kernel (linux ${src.version}, ~4 min on 2 cores; log: ${REL(log)})`);
  make('Image');
  const release = run('make', ['-s', '-C', srcDir, `O=${buildDir}`, 'ARCH=riscv', `CROSS_COMPILE=${cross}`, 'kernelrelease']).trim();

  rmrf(dir);
  mkdirp(dir);
  fs.copyFileSync(path.join(buildDir, 'arch/riscv/boot/Image'), path.join(dir, 'Image'));
  fs.copyFileSync(path.join(buildDir, '.config'), path.join(dir, 'config'));
  fs.writeFileSync(path.join(dir, 'version.txt'), release + '\n');
  writeStamp(dir, key);
  report(`small kernel ${release} (${src.name} ${src.version}, ${gccVersion}) in ${Math.round((Date.now() - t0) / 1000)} s: ` +
    `${REL(path.join(dir, 'Image'))} (${human(fs.statSync(path.join(dir, 'Image')).size)}, initramfs built in)`);
}

// ---------------------------------------------------------------- main
function writeManifest(pkgs) {
  const manifest = {
    note: 'generated by tools/guest/build.mjs',
    packages: Object.fromEntries(Object.entries(pkgs).map(([k, p]) => [k, { name: p.name, version: p.version, sha256: p.sha256 }])),
    outputs: {},
  };
  const add = (k, rel) => fs.existsSync(path.join(OUT, rel)) && (manifest.outputs[k] = rel);
  add('debianImage', 'debian/Image');
  add('debianInitrd', 'debian/initrd.cpio.gz');
  add('debianVersion', 'debian/version.txt');
  add('opensbi', 'opensbi/fw_dynamic.bin');
  add('disk', 'disk.img');
  add('userland', 'userland.img');
  add('smallImage', 'small/Image');
  add('smallVersion', 'small/version.txt');
  writeIfChanged(path.join(OUT, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
}

try {
  mkdirp(OUT);
  const onlySmall = flags.has('--only-small');
  const wantSmall = onlySmall || flags.has('--small');
  const pkgs = packages('trixie', onlySmall ? ['busybox-static'] : ['linux-image', 'busybox-static', 'opensbi', ...USERLAND_PACKAGES]);
  if (wantSmall) Object.assign(pkgs, packages('bookworm', ['linux-source-6.1']));
  if (!onlySmall) {
    buildDebian(pkgs);
    buildOpensbi(pkgs);
    buildDisk(pkgs);
    buildUserland(pkgs);
  }
  if (wantSmall) buildSmall(pkgs);
  writeManifest({ ...(readJson(path.join(OUT, 'manifest.json'), {}).packages ?? {}), ...pkgs });
  rmrf(path.join(CACHE, 'work'));
  if (!built.length) say(`guest images up to date in ${REL(OUT)}`);
} catch (e) {
  die(e.stack && VERBOSE ? e.stack : e.message);
}
