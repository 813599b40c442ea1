// Private apt configurations: fetch Debian packages by name into the cache
// without touching the host's apt state and without installing anything.

import fs from 'node:fs';
import path from 'node:path';
import { run, mkdirp, sha256File } from './util.mjs';

const KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';

export const SUITES = {
  // Guest packages: Debian trixie, riscv64 (plus arch:all).
  trixie: {
    arch: 'riscv64',
    sources: [`deb [arch=riscv64 signed-by=${KEYRING}] http://deb.debian.org/debian trixie main`],
  },
  // linux-source-6.1 (arch:all) from bookworm, including its security updates.
  bookworm: {
    arch: 'amd64',
    sources: [
      `deb [arch=amd64 signed-by=${KEYRING}] http://deb.debian.org/debian bookworm main`,
      `deb [arch=amd64 signed-by=${KEYRING}] http://deb.debian.org/debian bookworm-updates main`,
      `deb [arch=amd64 signed-by=${KEYRING}] http://deb.debian.org/debian-security bookworm-security main`,
    ],
  },
};

export class PrivateApt {
  constructor(cacheDir, suite) {
    this.suite = suite;
    this.conf = SUITES[suite];
    this.dir = path.join(cacheDir, 'apt', suite);
    mkdirp(path.join(this.dir, 'lists', 'partial'));
    mkdirp(path.join(this.dir, 'cache', 'archives', 'partial'));
    fs.writeFileSync(path.join(this.dir, 'sources.list'), this.conf.sources.join('\n') + '\n');
    this.updated = false;
  }

  opts() {
    const d = this.dir;
    return [
      '-q',
      '-o', `APT::Architecture=${this.conf.arch}`,
      '-o', `APT::Architectures=${this.conf.arch}`,
      '-o', `Dir::State::Lists=${d}/lists`,
      '-o', `Dir::State::status=/dev/null`,
      '-o', `Dir::Etc::SourceList=${d}/sources.list`,
      '-o', 'Dir::Etc::SourceParts=/dev/null',
      '-o', 'Dir::Etc::Preferences=/dev/null',
      '-o', 'Dir::Etc::PreferencesParts=/dev/null',
      '-o', `Dir::Cache=${d}/cache`,
      '-o', 'APT::Sandbox::User=root',
      '-o', 'Acquire::Languages=none',
      '-o', 'Debug::NoLocking=1',
    ];
  }

  hasLists() {
    return fs.readdirSync(path.join(this.dir, 'lists')).some((f) => f.endsWith('_Packages'));
  }

  update() {
    if (!fs.existsSync(KEYRING)) {
      throw new Error(`${KEYRING} is missing: apt-get install debian-archive-keyring`);
    }
    run('apt-get', [...this.opts(), 'update']);
    this.updated = true;
  }

  ensureLists() {
    if (!this.hasLists()) this.update();
  }

  /** Fields of the candidate version of a package (apt-cache show, first stanza). */
  show(name) {
    const out = run('apt-cache', [...this.opts(), 'show', name]);
    const stanza = out.split(/\n\n/)[0];
    const fields = {};
    for (const m of stanza.matchAll(/^([A-Za-z0-9-]+): (.*(?:\n .*)*)/gm)) fields[m[1]] = m[2];
    return fields;
  }

  /** { name, version, url, filename, size, sha256 } of the candidate (offline: uses the lists). */
  locate(name) {
    const out = run('apt-get', [...this.opts(), '--print-uris', 'download', name]);
    const m = /^'([^']+)' (\S+) (\d+) SHA256:([0-9a-f]{64})/m.exec(out);
    if (!m) throw new Error(`apt-get --print-uris download ${name}: unexpected output\n${out}`);
    const version = this.show(name).Version;
    return { name, version, url: m[1], filename: m[2], size: Number(m[3]), sha256: m[4] };
  }

  /** Download the located package into debDir (unless already there, verified). Returns the path. */
  fetch(pkg, debDir) {
    mkdirp(debDir);
    const dest = path.join(debDir, pkg.filename);
    if (fs.existsSync(dest) && fs.statSync(dest).size === pkg.size && sha256File(dest) === pkg.sha256) return dest;
    const tmp = mkdirp(path.join(debDir, '.partial'));
    run('apt-get', [...this.opts(), 'download', `${pkg.name}=${pkg.version}`], { cwd: tmp });
    const got = fs.readdirSync(tmp).find((f) => f.endsWith('.deb') && f.startsWith(`${pkg.name}_`));
    if (!got) throw new Error(`apt-get download ${pkg.name}: no .deb produced`);
    const tmpFile = path.join(tmp, got);
    if (sha256File(tmpFile) !== pkg.sha256) throw new Error(`checksum mismatch for ${got}`);
    fs.renameSync(tmpFile, dest);
    return dest;
  }
}
