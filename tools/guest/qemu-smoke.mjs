#!/usr/bin/env node
// Boot a guest image on QEMU (qemu-system-riscv64 -M virt), drive its serial
// console, run a few commands and power it off. Exits 0 when everything worked.
//
//   node tools/guest/qemu-smoke.mjs [--kernel debian|small|FILE] [--initrd FILE|none]
//        [--disk FILE|none] [--bios default|trixie|FILE] [--append "..."] [--mem 256M]
//        [--timeout SECONDS] [--cmd "shell command"]... [--final poweroff|"reboot -f"|...]
//        [--qemu-arg ARG]... [--keep-disk] [--log FILE] [--quiet]
//
// Defaults: --kernel debian (with out/debian/initrd.cpio.gz), a scratch copy of
// out/disk.img, QEMU's own OpenSBI, and commands: uname -r, cat /proc/cpuinfo,
// write+read /mnt/smoke.txt, poweroff. After QEMU exits the scratch disk is
// checked with debugfs for /smoke.txt (the write survived the poweroff).
//
// Reusable: `import { bootQemu } from './qemu-smoke.mjs'` returns
// { ok, timings, results, transcript }.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const OUT = path.join(HERE, 'out');
export const MARKER = 'edgevisor: init done';
const PROMPT = /(^|\n)# $/;
// Drop CRs and terminal escapes (busybox's line editor asks for the cursor position with ESC[6n).
const clean = (s) => s.replace(/\r/g, '').replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

export const DEFAULT_COMMANDS = [
  'uname -r',
  'cat /proc/cpuinfo',
  'echo edgevisor-smoke-$(uname -r) > /mnt/smoke.txt && sync && cat /mnt/smoke.txt',
];

/**
 * Boot and drive a guest. Options: kernel, initrd, disk, bios, append, mem,
 * timeoutMs, commands, onOutput(chunk). Resolves after QEMU exits.
 */
export function bootQemu({
  kernel,
  initrd,
  disk,
  bios = 'default',
  append = 'console=ttyS0 earlycon=sbi',
  mem = '256M',
  timeoutMs = 120_000,
  commands = DEFAULT_COMMANDS,
  poweroff = true,
  finalCommand = 'poweroff',
  onOutput,
  qemu = 'qemu-system-riscv64',
  extraArgs = [],
} = {}) {
  const args = ['-M', 'virt', '-smp', '1', '-m', mem, '-nographic', '-no-reboot', '-bios', bios, '-kernel', kernel, '-append', append];
  if (initrd) args.push('-initrd', initrd);
  if (disk) args.push('-drive', `file=${disk},format=raw,if=none,id=d0`, '-device', 'virtio-blk-device,drive=d0');
  args.push('-device', 'virtio-rng-device', '-device', 'virtio-balloon-device', ...extraArgs);

  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const ms = () => Number((process.hrtime.bigint() - t0) / 1_000_000n);
    const child = spawn(qemu, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let transcript = '';
    let pending = ''; // output since the last command was sent
    const timings = {};
    const results = [];
    let step = -1; // -1: waiting for the marker and the first prompt
    let done = false;
    let error = null;
    const queue = [...commands];

    const finish = (err) => {
      if (err && !error) error = err;
      if (!done) {
        done = true;
        clearTimeout(timer);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => finish(`timeout after ${timeoutMs / 1000} s (step ${step})`), timeoutMs);

    const send = (line) => {
      pending = '';
      child.stdin.write(line + '\n');
    };
    const next = () => {
      step++;
      const cmd = queue.shift();
      if (cmd !== undefined) {
        // The quotes keep the markers in the echoed command line from matching the output ones.
        send(`echo "@@""begin@@"; ${cmd}; echo "@@rc=$?@@"`);
      } else if (poweroff) {
        timings.poweroffSentMs = ms();
        send(finalCommand);
        step = Infinity;
      } else {
        finish();
      }
    };

    const onData = (buf) => {
      const s = buf.toString('latin1');
      transcript += s;
      pending += s;
      onOutput?.(s);
      if (step === -1) {
        if (timings.markerMs === undefined && transcript.includes(MARKER)) timings.markerMs = ms();
        if (timings.markerMs !== undefined && PROMPT.test(clean(pending))) {
          timings.shellMs = ms();
          next();
        }
        if (/Kernel panic/.test(transcript)) finish('kernel panic');
        return;
      }
      if (step === Infinity) return;
      const text = clean(pending);
      const m = /@@rc=(\d+)@@\n([\s\S]*?)# $/.exec(text);
      if (m && PROMPT.test(text)) {
        const cmd = commands[step];
        const body = text.slice(0, m.index);
        const b = body.lastIndexOf('@@begin@@\n');
        results.push({ cmd, rc: Number(m[1]), output: b >= 0 ? body.slice(b + '@@begin@@\n'.length) : body });
        next();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code, signal) => {
      timings.exitMs = ms();
      if (!done && step !== Infinity) error ??= `QEMU exited early (code ${code}, signal ${signal})`;
      finish();
      const ok = !error && results.every((r) => r.rc === 0) && (!poweroff || step === Infinity);
      resolve({ ok, error, timings, results, transcript, args });
    });
  });
}

function debugfsCat(image, file) {
  const r = spawnSync('debugfs', ['-R', `cat ${file}`, image], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout : null;
}

async function main() {
  const argv = process.argv.slice(2);
  const opt = (name, def) => {
    const i = argv.lastIndexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : def;
  };
  const has = (name) => argv.includes(`--${name}`);
  const cmds = argv.flatMap((a, i) => (a === '--cmd' ? [argv[i + 1]] : []));
  const kernelArg = opt('kernel', 'debian');
  const kernel = kernelArg === 'debian' || kernelArg === 'small' ? path.join(OUT, kernelArg, 'Image') : kernelArg;
  let initrd = opt('initrd', kernelArg === 'debian' ? path.join(OUT, 'debian/initrd.cpio.gz') : 'none');
  if (initrd === 'none') initrd = undefined;
  const biosArg = opt('bios', 'default');
  const bios = biosArg === 'trixie' ? path.join(OUT, 'opensbi/fw_dynamic.bin') : biosArg;
  let disk = opt('disk', path.join(OUT, 'disk.img'));
  let scratch = null;
  if (disk === 'none') disk = undefined;
  else if (!has('keep-disk')) {
    scratch = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'edgevisor-smoke-')), 'disk.img');
    fs.copyFileSync(disk, scratch);
    disk = scratch;
  }
  for (const f of [kernel, initrd, disk, bios === 'default' ? null : bios]) {
    if (f && !fs.existsSync(f)) {
      console.error(`qemu-smoke: ${f} not found (run npm run images${kernelArg === 'small' ? ' -- --small' : ''})`);
      process.exit(2);
    }
  }
  const quiet = has('quiet');
  const logFile = opt('log');
  const append = opt('append', 'console=ttyS0 earlycon=sbi');
  console.log(`qemu-smoke: booting ${path.relative(process.cwd(), kernel)}${initrd ? ` + ${path.relative(process.cwd(), initrd)}` : ''}, bios ${biosArg}, append "${append}"`);
  const r = await bootQemu({
    kernel, initrd, disk, bios, append,
    mem: opt('mem', '256M'),
    timeoutMs: Number(opt('timeout', '180')) * 1000,
    commands: cmds.length ? cmds : DEFAULT_COMMANDS,
    finalCommand: opt('final', 'poweroff'),
    extraArgs: argv.flatMap((a, i) => (a === '--qemu-arg' ? [argv[i + 1]] : [])),
    onOutput: quiet ? undefined : (s) => process.stdout.write(s),
  });
  if (logFile) fs.writeFileSync(logFile, r.transcript);
  let diskOk = true;
  if (scratch && r.ok && !cmds.length) {
    const content = debugfsCat(scratch, '/smoke.txt');
    diskOk = content !== null && content.startsWith('edgevisor-smoke-');
    console.log(`\nqemu-smoke: /smoke.txt on the disk after poweroff: ${content === null ? '(missing)' : JSON.stringify(content.trim())}`);
  }
  if (scratch) fs.rmSync(path.dirname(scratch), { recursive: true, force: true });
  const t = r.timings;
  console.log(`\nqemu-smoke: ${r.ok && diskOk ? 'PASS' : 'FAIL'}${r.error ? ` (${r.error})` : ''}`);
  console.log(`qemu-smoke: marker at ${t.markerMs ?? '-'} ms, shell prompt at ${t.shellMs ?? '-'} ms, QEMU exit at ${t.exitMs ?? '-'} ms`);
  for (const c of r.results) {
    const first = c.output.trim().split('\n')[0] ?? '';
    console.log(`qemu-smoke:   [rc=${c.rc}] ${c.cmd} -> ${first}${c.output.trim().includes('\n') ? ' ...' : ''}`);
  }
  process.exit(r.ok && diskOk ? 0 : 1);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
