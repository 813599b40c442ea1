// Small helpers shared by the guest-image scripts.

import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';

export function sha256(data) {
  return crypto.createHash('sha256').update(data).digest('hex');
}

export function sha256File(file) {
  const h = crypto.createHash('sha256');
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.alloc(1 << 20);
  try {
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return h.digest('hex');
}

/** Run a command; throw with its output on failure. Returns stdout (string). */
export function run(cmd, args, { cwd, env, input, quiet = true, allowFail = false, log } = {}) {
  const logFd = log ? fs.openSync(log, 'a') : null;
  let r;
  try {
    r = spawnSync(cmd, args, {
      cwd,
      env: env ? { ...process.env, ...env } : process.env,
      input,
      encoding: 'utf8',
      maxBuffer: 1 << 28,
      stdio: [input === undefined ? 'ignore' : 'pipe', logFd ?? 'pipe', logFd ?? 'pipe'],
    });
  } finally {
    if (logFd !== null) fs.closeSync(logFd);
  }
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0 && !allowFail) {
    const tail = log ? `(see ${log})` : `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-30).join('\n');
    throw new Error(`command failed (exit ${r.status}): ${cmd} ${args.join(' ')}\n${tail}`);
  }
  if (!quiet && r.stdout) process.stdout.write(r.stdout);
  return allowFail ? r : r.stdout;
}

export function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

export function rmrf(p) {
  fs.rmSync(p, { recursive: true, force: true });
}

export function mkdirp(p) {
  fs.mkdirSync(p, { recursive: true });
  return p;
}

/** Write only when the content differs (keeps mtimes stable for make). */
export function writeIfChanged(file, data) {
  if (fs.existsSync(file) && fs.readFileSync(file).equals(Buffer.from(data))) return false;
  mkdirp(path.dirname(file));
  fs.writeFileSync(file, data);
  return true;
}

export function readJson(file, fallback) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return fallback;
  }
}

export function human(bytes) {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(0)} KiB`;
}
