#!/usr/bin/env node
// Differential test harness: random RV64GC programs, QEMU vs. Edgevisor.
//
//   node tests/difftest/run.mjs [--count N] [--seed S] [--length L] [--qemu-only]
//        [--batch B] [--jobs J] [--keep] [--misaligned-amo] [--emu "CMD {elf}"]
//        [--qemu-timeout SEC] [--emu-timeout SEC] [--verbose]
//
// Seeds S..S+N-1 are packed B per ELF (QEMU start-up dominates otherwise);
// J batches run concurrently.  Each ELF is built with riscv64-unknown-elf-gcc,
// run on QEMU and on the emulator, and every test's signature block is
// compared.  Files of failing batches stay in tests/difftest/build/.
// The last line of output is exactly "N passed, M failed".

import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync, readFileSync, rmSync, existsSync, openSync, closeSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateProgram, MAX_TRAPS } from './gen.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const BUILD = join(HERE, 'build');

// ---------------------------------------------------------------------------
// options
const argv = process.argv.slice(2);
const opts = {
  count: 100, seed: 1, length: 500, batch: 10, jobs: 2, qemuOnly: false, keep: false,
  misalignedAmo: false, verbose: false, qemuTimeout: 60, emuTimeout: 300,
  emu: `node ${join(ROOT, 'bin', 'edgevisor.js')} run {elf} --max-insns 50000000`,
};
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  const val = () => {
    if (i + 1 >= argv.length) usage(`missing value for ${a}`);
    return argv[++i];
  };
  const num = () => { const v = Number(val()); if (!Number.isSafeInteger(v) || v < 0) usage(`bad number for ${a}`); return v; };
  switch (a) {
    case '--count': opts.count = num(); break;
    case '--seed': opts.seed = num(); break;
    case '--length': opts.length = num(); break;
    case '--batch': opts.batch = Math.max(1, num()); break;
    case '--jobs': opts.jobs = Math.max(1, num()); break;
    case '--qemu-timeout': opts.qemuTimeout = num(); break;
    case '--emu-timeout': opts.emuTimeout = num(); break;
    case '--emu': opts.emu = val(); break;
    case '--qemu-only': opts.qemuOnly = true; break;
    case '--keep': opts.keep = true; break;
    case '--misaligned-amo': opts.misalignedAmo = true; break;
    case '--verbose': case '-v': opts.verbose = true; break;
    case '--help': case '-h': usage(); break;
    default: usage(`unknown argument ${a}`);
  }
}
function usage(msg) {
  if (msg) console.error(msg);
  console.error('usage: node tests/difftest/run.mjs [--count N] [--seed S] [--length L] [--qemu-only] ' +
    '[--batch B] [--jobs J] [--keep] [--misaligned-amo] [--emu "CMD {elf}"] [--qemu-timeout S] [--emu-timeout S] [--verbose]');
  process.exit(msg ? 2 : 0);
}

const CC = 'riscv64-unknown-elf-gcc';
const CFLAGS = ['-march=rv64gc', '-mabi=lp64d', '-nostdlib', '-nostartfiles', '-Wl,--no-relax',
  '-Wl,--no-warn-rwx-segments', '-T', join(HERE, 'link.ld')];
// Keep QEMU's extra default extensions (H, Zba/Zbb/Zbc/Zbs) out of the picture:
// the generated code is pure RV64GC and these encodings must trap.
// The UART goes to a regular file: the signature is written without polling
// LSR, and QEMU's 16550 drops bytes when its chardev backend would block (as a
// pipe to node does under load).
const QEMU_ARGS = (elf, out) => ['-M', 'virt', '-cpu', 'rv64,h=false,zba=false,zbb=false,zbc=false,zbs=false',
  '-bios', 'none', '-m', '64M', '-display', 'none', '-monitor', 'none', '-parallel', 'none',
  '-serial', `file:${out}`, '-kernel', elf];

// ---------------------------------------------------------------------------
// stdoutFile: send the child's stdout to this file instead of a pipe (nothing
// is lost if the child dies with writes pending); it is read back into .stdout.
function run(cmd, args, timeoutSec, stdoutFile = null) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    let child, fd = null;
    try {
      if (stdoutFile) fd = openSync(stdoutFile, 'w');
      child = spawn(cmd, args, { stdio: ['ignore', fd ?? 'pipe', 'pipe'], cwd: ROOT });
      if (fd !== null) { closeSync(fd); fd = null; }
    } catch (e) {
      if (fd !== null) closeSync(fd);
      resolve({ code: -1, stdout: '', stderr: String(e), ms: 0, timedOut: false });
      return;
    }
    const out = [], err = [];
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutSec * 1000);
    if (child.stdout) child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('error', (e) => err.push(Buffer.from(String(e))));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdout = stdoutFile ? (existsSync(stdoutFile) ? readFileSync(stdoutFile, 'latin1') : '')
        : Buffer.concat(out).toString('latin1');
      resolve({ code: code ?? (signal ? `signal ${signal}` : -1), stdout,
        stderr: Buffer.concat(err).toString('latin1'), ms: Date.now() - t0, timedOut });
    });
  });
}

// Split UART output into per-seed signature blocks.
// Block: "T<seed hex>", 31 x, 32 f, fcsr, mscratch, ntraps, 3*min(ntraps,MAX) words,
// "M", "<off>:<val>"*, "E".
function parseOutput(text) {
  const blocks = new Map();
  const errors = [];
  const lines = text.replace(/\r/g, '').split('\n');
  let i = 0;
  while (i < lines.length) {
    const m = /^T([0-9a-f]{16})$/.exec(lines[i]);
    if (!m) { i++; continue; }
    const seed = Number(BigInt('0x' + m[1]));
    const start = i++;
    const words = [];
    let ok = true;
    while (i < lines.length && /^[0-9a-f]{16}$/.test(lines[i])) words.push(lines[i++]);
    const mem = [];
    if (lines[i] === 'M') {
      i++;
      while (i < lines.length && /^[0-9a-f]{16}:[0-9a-f]{16}$/.test(lines[i])) mem.push(lines[i++]);
      if (lines[i] === 'E') i++; else ok = false;
    } else ok = false;
    const nt = words.length >= 66 ? Number(BigInt('0x' + words[65])) : -1;
    if (words.length < 66 || words.length !== 66 + 3 * Math.min(nt, MAX_TRAPS)) ok = false;
    if (!ok) errors.push(`malformed block for seed ${seed} at line ${start + 1}`);
    blocks.set(seed, { seed, words, mem, ok, raw: lines.slice(start, i).join('\n') });
  }
  return { blocks, errors };
}

const ABI = ['zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5',
  'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6'];
function wordName(i) {
  if (i < 31) return `x${i + 1}(${ABI[i + 1]})`;
  if (i < 63) return `f${i - 31}`;
  if (i === 63) return 'fcsr';
  if (i === 64) return 'mscratch';
  if (i === 65) return 'trap count';
  const k = i - 66;
  return `trap[${Math.floor(k / 3)}].${['mcause', 'mtval', 'mepc'][k % 3]}`;
}

// First difference between two blocks, as a human-readable string (or null).
function compareBlocks(q, e) {
  if (!e) return 'no signature block from the emulator';
  const n = Math.max(q.words.length, e.words.length);
  for (let i = 0; i < n; i++) {
    if (q.words[i] !== e.words[i]) {
      return `${wordName(i)}: qemu=${q.words[i] ?? '(missing)'} emu=${e.words[i] ?? '(missing)'}`;
    }
  }
  const qm = new Map(q.mem.map((l) => l.split(':')));
  const em = new Map(e.mem.map((l) => l.split(':')));
  const offs = [...new Set([...qm.keys(), ...em.keys()])].sort();
  for (const o of offs) {
    if (qm.get(o) !== em.get(o)) {
      return `data[0x${o.replace(/^0+(?=.)/, '')}]: qemu=${qm.get(o) ?? '(unchanged)'} emu=${em.get(o) ?? '(unchanged)'}`;
    }
  }
  if (!e.ok) return 'malformed signature block from the emulator';
  return null;
}

// ---------------------------------------------------------------------------
let passed = 0, failed = 0;
const failures = [];
const qemuTimes = [];
const log = (s) => process.stdout.write(s + '\n');
const progress = (s) => { if (opts.verbose) process.stderr.write(s + '\n'); };

async function runBatch(seeds) {
  const name = seeds.length === 1 ? `s${seeds[0]}` : `b${seeds[0]}-${seeds[seeds.length - 1]}`;
  const base = join(BUILD, name);
  const src = base + '.S', elf = base + '.elf';
  writeFileSync(src, generateProgram({ seeds, length: opts.length, misalignedAmo: opts.misalignedAmo }));
  const keepFiles = (extra) => {
    for (const [ext, text] of Object.entries(extra)) writeFileSync(base + ext, text);
  };
  const failAll = (why, extra = {}) => {
    keepFiles(extra);
    for (const s of seeds) { failed++; failures.push({ seed: s, why, files: name }); }
    log(`FAIL batch ${name} (seeds ${seeds[0]}..${seeds[seeds.length - 1]}): ${why}`);
  };

  const cc = await run(CC, [...CFLAGS, '-o', elf, src], 120);
  if (cc.code !== 0) return failAll(`build failed:\n${cc.stderr.slice(0, 2000)}`);

  const qout = base + '.qemu.out';
  rmSync(qout, { force: true });
  const q = await run('qemu-system-riscv64', QEMU_ARGS(elf, qout), opts.qemuTimeout);
  q.stdout = existsSync(qout) ? readFileSync(qout, 'latin1') : '';
  qemuTimes.push(q.ms / seeds.length);
  const qp = parseOutput(q.stdout);
  if (q.code !== 0 || q.timedOut) {
    return failAll(`qemu ${q.timedOut ? 'timed out' : 'exited with ' + q.code}: ${q.stderr.trim().slice(0, 500)}`,
      { '.qemu.out': q.stdout });
  }
  progress(`batch ${name}: qemu ${q.ms} ms`);

  let emu = null, ep = null;
  if (!opts.qemuOnly) {
    const parts = opts.emu.split(/\s+/).filter(Boolean).map((p) => p.replace('{elf}', elf));
    if (!opts.emu.includes('{elf}')) parts.push(elf);
    emu = await run(parts[0], parts.slice(1), opts.emuTimeout, base + '.emu.out');
    ep = parseOutput(emu.stdout);
    progress(`batch ${name}: emulator ${emu.ms} ms, exit ${emu.code}`);
  }

  let batchFailed = false;
  for (const s of seeds) {
    const qb = qp.blocks.get(s);
    let why = null;
    if (!qb) why = 'no signature block from qemu';
    else if (!qb.ok) why = 'malformed signature block from qemu';
    else if (!opts.qemuOnly) why = compareBlocks(qb, ep.blocks.get(s));
    if (!why && !opts.qemuOnly && s === seeds[seeds.length - 1]) {
      if (emu.timedOut) why = `emulator timed out after ${opts.emuTimeout} s`;
      else if (emu.code !== 0) why = `emulator exited with ${emu.code} (expected 0 from the test device)`;
      else if (!batchFailed && emu.stdout !== q.stdout) why = 'UART output differs outside the signature blocks';
    }
    if (why) {
      batchFailed = true;
      failed++;
      failures.push({ seed: s, why, files: name });
      log(`FAIL seed ${s}: ${why}`);
      log(`     kept: ${relative(ROOT, base)}.{S,elf,qemu.out${emu ? ',emu.out' : ''}}`);
      log(`     single-seed repro: node tests/difftest/run.mjs --seed ${s} --count 1 --length ${opts.length}` +
        (opts.misalignedAmo ? ' --misaligned-amo' : ''));
    } else passed++;
  }
  if (emu && (emu.timedOut || emu.code !== 0)) {
    const msg = emu.stderr.split('\n').filter((l) => l.trim() && !/^\s+at /.test(l)).slice(-4);
    log(`NOTE batch ${name}: emulator ${emu.timedOut ? 'timed out' : 'exited with ' + emu.code}` +
      (msg.length ? ', stderr:\n     ' + msg.join('\n     ') : ''));
  }
  if (batchFailed || opts.keep) {
    keepFiles({ '.qemu.out': q.stdout, ...(emu ? { '.emu.out': emu.stdout, '.emu.err': emu.stderr } : {}) });
  } else {
    for (const f of [src, elf, qout, base + '.emu.out']) rmSync(f, { force: true });
  }
}

async function main() {
  mkdirSync(BUILD, { recursive: true });
  const seeds = Array.from({ length: opts.count }, (_, i) => opts.seed + i);
  const batches = [];
  for (let i = 0; i < seeds.length; i += opts.batch) batches.push(seeds.slice(i, i + opts.batch));
  const t0 = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const b = batches[next++];
      try { await runBatch(b); } catch (e) {
        for (const s of b) { failed++; failures.push({ seed: s, why: String(e) }); }
        log(`FAIL seeds ${b[0]}..${b[b.length - 1]}: internal error: ${e.stack || e}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.jobs, batches.length) }, worker));
  const secs = (Date.now() - t0) / 1000;
  if (qemuTimes.length) {
    const avg = qemuTimes.reduce((a, b) => a + b, 0) / qemuTimes.length;
    log(`# ${seeds.length} programs of ${opts.length} instructions in ${secs.toFixed(1)} s ` +
      `(qemu ${avg.toFixed(0)} ms per program, batches of ${opts.batch}, ${opts.jobs} jobs)` +
      (opts.qemuOnly ? ' [qemu only]' : ''));
  }
  if (failures.length) log(`# failing seeds: ${[...new Set(failures.map((f) => f.seed))].sort((a, b) => a - b).join(' ')}`);
  log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

if (!existsSync(join(HERE, 'link.ld'))) { console.error('missing link.ld'); process.exit(2); }
if (!opts.qemuOnly && opts.emu.includes(join(ROOT, 'bin', 'edgevisor.js')) && !existsSync(join(ROOT, 'bin', 'edgevisor.js'))) {
  log('emulator CLI bin/edgevisor.js does not exist yet: use --qemu-only or --emu "CMD {elf}"');
  log(`0 passed, ${opts.count} failed`);
  process.exit(1);
}
main();
