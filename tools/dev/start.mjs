#!/usr/bin/env node
// `npm start`: runs Edgevisor locally with wrangler dev on http://127.0.0.1:8787 — embedded
// D1/KV/R2/Durable Object storage under .wrangler/, nothing to configure. Makes sure the admin
// token exists in .dev.vars, builds the hart, applies the D1 migrations, starts the server
// and registers the demo kernel (the small kernel from tools/guest, initramfs built in).
// Safe to run again: the token in .dev.vars is reused, the demo image is registered once
// (same name and bytes answer the existing image) and VMs continue from their checkpoints.
// Extra arguments go to `wrangler dev` (e.g. `npm start -- --port 8788`).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
process.chdir(root);
const extra = process.argv.slice(2);
const IP = argValue("--ip") ?? "127.0.0.1";
const PORT = Number(argValue("--port") ?? "8787");
const BASE = `http://${IP.includes(":") ? `[${IP}]` : IP}:${PORT}`;
const DEMO = "tools/guest/out/small/Image";
const DEMO_NAME = "demo-small-kernel";
// wrangler must not try the network (no account, no telemetry).
const env = { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };
const wrangler = path.join(root, "node_modules", ".bin", "wrangler");

/** The value of `--name v` or `--name=v` among the extra arguments. */
function argValue(name) {
  for (let i = 0; i < extra.length; i++) {
    if (extra[i] === name) return extra[i + 1];
    if (extra[i].startsWith(`${name}=`)) return extra[i].slice(name.length + 1);
  }
  return undefined;
}

function fail(message, code = 1) {
  console.error(`edgevisor start: ${message}`);
  process.exit(code);
}

function step(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: "inherit", env });
  if (r.status !== 0) fail(`${cmd} ${args.join(" ")} failed (exit ${r.status ?? r.signal})`, r.status ?? 1);
}

/** The admin token from .dev.vars; a new random one is written there when it has none. */
function adminToken() {
  const file = ".dev.vars";
  const text = existsSync(file) ? readFileSync(file, "utf8") : "";
  const line = /^[ \t]*EDGEVISOR_ADMIN_TOKEN[ \t]*=[ \t]*(["']?)(.*?)\1[ \t]*$/m;
  const m = line.exec(text);
  if (m && m[2]) return { token: m[2], created: false };
  const token = randomBytes(32).toString("hex");
  const entry = `EDGEVISOR_ADMIN_TOKEN="${token}"`;
  // An empty EDGEVISOR_ADMIN_TOKEN= line is replaced rather than shadowed.
  const next = m ? text.replace(line, entry) : `${text}${text && !text.endsWith("\n") ? "\n" : ""}${entry}\n`;
  writeFileSync(file, next, { mode: 0o600 });
  return { token, created: true };
}

/** Fails early when something already listens where wrangler dev is to listen. */
async function ensurePortFree() {
  const free = await new Promise((resolve) => {
    const s = createServer();
    s.once("error", (e) => resolve(e.code !== "EADDRINUSE"));
    s.listen(PORT, IP, () => s.close(() => resolve(true)));
  });
  if (!free) fail(`${IP}:${PORT} is already in use (another \`npm start\`?); stop it, or pick another port: npm start -- --port 8788`);
}

async function waitForServer(child) {
  for (let i = 0; i < 1200; i++) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    try {
      const r = await fetch(`${BASE}/`);
      if (r.ok && (await r.json()).service === "edgevisor") return true;
    } catch { /* not up yet */ }
    await new Promise((res) => setTimeout(res, 250));
  }
  return false;
}

/** Registers the demo kernel (idempotent: the same name and bytes answer the existing image). */
async function registerDemo(token) {
  if (!existsSync(DEMO)) {
    console.log(`\nedgevisor start: no demo kernel (${DEMO}); build it with \`npm run images:small\` and restart.`);
    return undefined;
  }
  const r = await fetch(`${BASE}/api/images?name=${DEMO_NAME}&kind=kernel`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/octet-stream" },
    body: readFileSync(DEMO),
  });
  const body = await r.json().catch(() => undefined);
  if (!r.ok) { console.error("edgevisor start: registering the demo kernel failed:", r.status, body); return undefined; }
  return body.id;
}

await ensurePortFree();
const { token, created } = adminToken();
if (!existsSync(DEMO) && process.env.EDGEVISOR_SKIP_IMAGES !== "1") {
  console.log("edgevisor start: building the demo guest (small Linux kernel, a few minutes the first time)...");
  const r = spawnSync("npm", ["run", "images:small"], { stdio: "inherit", env });
  if (r.status !== 0) console.log("edgevisor start: could not build the guest images (see tools/guest/README.md); starting without the demo kernel");
}
step("npm", ["run", "--silent", "build:core"]);
step(wrangler, ["d1", "migrations", "apply", "DB", "--local"]);

const devArgs = ["dev", ...(argValue("--ip") ? [] : ["--ip", IP]), ...(argValue("--port") ? [] : ["--port", String(PORT)]), ...extra];
const child = spawn(wrangler, devArgs, { stdio: "inherit", env });
// Ctrl-C in a terminal reaches wrangler directly too; a signal sent to this process alone is passed on.
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, () => { if (child.exitCode === null) child.kill(sig); });
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 128 + (signal === "SIGINT" ? 2 : signal === "SIGHUP" ? 1 : 15) : 0)));

if (await waitForServer(child)) {
  const kernel = await registerDemo(token);
  const auth = `-H "Authorization: Bearer $TOKEN"`;
  console.log(`\nEdgevisor is up at ${BASE} (Ctrl-C stops it; state stays in .wrangler/state)`);
  console.log(`admin token${created ? " (new, saved in .dev.vars)" : " (from .dev.vars)"}: ${token}`);
  if (kernel) {
    console.log(`demo kernel image: ${kernel}\n\nTry:`);
    console.log(`  export TOKEN=${token} KERNEL=${kernel}`);
    console.log(`  curl -s ${auth} -H "Content-Type: application/json" \\\n    -d '{"name":"demo","memoryMiB":32,"boot":{"kernel":"'$KERNEL'"},"powerOn":true}' ${BASE}/api/vms`);
    console.log(`  export VM=<the id it answers>`);
    console.log(`  curl -s ${auth} "${BASE}/api/vms/$VM/console/output?from=0"`);
    console.log(`  printf 'uname -a\\n' | curl -s ${auth} -H "Content-Type: text/plain" --data-binary @- ${BASE}/api/vms/$VM/console/input`);
    console.log(`  (console WebSocket: ws://${BASE.slice("http://".length)}/api/vms/$VM/console?access_token=$TOKEN&from=0)\n`);
  }
} else if (child.exitCode === null && child.signalCode === null) {
  console.error(`edgevisor start: wrangler dev did not answer on ${BASE} within 5 minutes`);
}
