#!/usr/bin/env node
// Edgevisor ISA conformance runner.
//
//   node tests/conformance/run.mjs [--qemu] [--no-build] [--timeout SECONDS]
//                                  [--jobs N] [--verbose] [name-substring ...]
//
// Builds the tests (make -C tests/conformance), then runs every
// build/<name>.elf either on QEMU (--qemu) or on the Edgevisor emulator
// (default: node bin/edgevisor.js run X.elf --max-insns 200000000).
// A test passes when the process exits with code 0 and printed "PASS <name>".
// Prints one line per test and a final "N passed, M failed" line; exits 1 if
// anything failed.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');
const buildDir = join(here, 'build');

const args = process.argv.slice(2);
let useQemu = false, build = true, timeoutSec = 30, verbose = false, countOnly = false;
let jobs = Math.max(1, Math.min(8, os.cpus().length));
const filters = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--qemu') useQemu = true;
  else if (a === '--no-build') build = false;
  else if (a === '--verbose' || a === '-v') verbose = true;
  else if (a === '--count') countOnly = true;
  else if (a === '--timeout') timeoutSec = Number(args[++i]);
  else if (a === '--jobs' || a === '-j') jobs = Math.max(1, Number(args[++i]));
  else if (a === '--help' || a === '-h') {
    console.log('usage: run.mjs [--qemu] [--no-build] [--timeout S] [--jobs N] [--verbose] [--count] [filter...]');
    console.log('  --count  print the number of checks in each test instead of running');
    process.exit(0);
  } else filters.push(a);
}

if (build) {
  const r = spawnSync('make', ['-C', here, '-s', `-j${jobs}`], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('build failed');
    process.exit(2);
  }
}
if (!existsSync(buildDir)) {
  console.error(`no build directory ${buildDir}; run without --no-build`);
  process.exit(2);
}

// The test list comes from the sources (stale ELFs in build/ are ignored).
const srcDir = join(here, 'src');
const tests = readdirSync(srcDir)
  .filter((f) => f.endsWith('.S') || f.endsWith('.c'))
  .map((f) => f.replace(/\.(S|c)$/, ''))
  .filter((n) => filters.length === 0 || filters.some((f) => n.includes(f)))
  .sort();

// Number of checks: __nchecks symbol for assembly tests, CHECK( sites for C.
function checkCount(name) {
  const c = join(srcDir, `${name}.c`);
  if (existsSync(c)) return (readFileSync(c, 'utf8').match(/\bCHECK\(/g) || []).length;
  const r = spawnSync('riscv64-unknown-elf-nm', [join(buildDir, `${name}.elf`)], { encoding: 'utf8' });
  const m = /^([0-9a-f]+) \w __nchecks$/m.exec(r.stdout || '');
  return m ? parseInt(m[1], 16) : NaN;
}
if (countOnly) {
  let total = 0;
  for (const t of tests) {
    const n = checkCount(t);
    total += n;
    console.log(`${t.padEnd(22)} ${n}`);
  }
  console.log(`${tests.length} tests, ${total} checks`);
  process.exit(0);
}
if (!useQemu && !existsSync(join(repoRoot, 'bin', 'edgevisor.js'))) {
  console.error('bin/edgevisor.js not found: the emulator CLI is not built yet (use --qemu to run on QEMU)');
  process.exit(2);
}

function command(elf) {
  if (useQemu) {
    return ['qemu-system-riscv64',
      ['-M', 'virt', '-bios', 'none', '-nographic', '-m', '64M', '-kernel', elf]];
  }
  return [process.execPath,
    [join(repoRoot, 'bin', 'edgevisor.js'), 'run', elf, '--max-insns', '200000000']];
}

function runOne(name) {
  const elf = join(buildDir, `${name}.elf`);
  if (!existsSync(elf)) return Promise.resolve({ name, passed: false, reason: 'not built', out: '' });
  const [cmd, argv] = command(elf);
  return new Promise((resolvePromise) => {
    let out = '';
    let timedOut = false;
    const child = spawn(cmd, argv, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutSec * 1000);
    child.on('error', (e) => { out += `\n${e.message}`; });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const passed = !timedOut && code === 0 && out.split(/\r?\n/).some((l) => l.trim() === `PASS ${name}`);
      let reason = '';
      if (!passed) {
        const failLine = out.split(/\r?\n/).find((l) => l.startsWith('FAIL '));
        if (timedOut) reason = `timeout after ${timeoutSec}s`;
        else if (failLine) reason = failLine.trim().replace(`FAIL ${name}`, '').replace(/^:\s*/, '');
        else reason = `exit ${code ?? signal}, no PASS line`;
      }
      resolvePromise({ name, passed, reason, out });
    });
  });
}

const results = new Array(tests.length);
let next = 0;
async function worker() {
  while (next < tests.length) {
    const i = next++;
    results[i] = await runOne(tests[i]);
  }
}
await Promise.all(Array.from({ length: Math.min(jobs, tests.length) }, worker));

let passed = 0, failed = 0;
for (const r of results) {
  if (r.passed) { passed++; console.log(`PASS ${r.name}`); }
  else { failed++; console.log(`FAIL ${r.name}: ${r.reason}`); }
  if (verbose || !r.passed) {
    const text = r.out.trim();
    if (verbose && text) console.log(text.replace(/^/gm, '    '));
    else if (!r.passed && text && !text.startsWith('FAIL')) console.log(text.split('\n').slice(0, 5).join('\n').replace(/^/gm, '    '));
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && tests.length > 0 ? 0 : 1);
