#!/usr/bin/env node
// `npm start`: runs Edgevisor locally with wrangler dev on http://127.0.0.1:8787 — embedded
// D1/KV/R2/Durable Object storage under .wrangler/, nothing to configure. Makes sure the admin
// token exists in .dev.vars, builds the hart, applies the D1 migrations, starts the server
// and registers the demo kernel (the small kernel from tools/guest, initramfs built in).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, appendFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
process.chdir(root);
const BASE = "http://127.0.0.1:8787";
const DEMO = "tools/guest/out/small/Image";
// wrangler must not try the network (no account, no telemetry).
const env = { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };
const wrangler = path.join(root, "node_modules", ".bin", "wrangler");

function step(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: "inherit", env });
  if (r.status !== 0) {
    console.error(`edgevisor start: ${cmd} ${args.join(" ")} failed (exit ${r.status})`);
    process.exit(r.status ?? 1);
  }
}

function adminToken() {
  const file = ".dev.vars";
  const text = existsSync(file) ? readFileSync(file, "utf8") : "";
  const m = /^EDGEVISOR_ADMIN_TOKEN\s*=\s*"?([^"\n]+)"?\s*$/m.exec(text);
  if (m) return { token: m[1], created: false };
  const token = randomBytes(32).toString("hex");
  appendFileSync(file, `${text && !text.endsWith("\n") ? "\n" : ""}EDGEVISOR_ADMIN_TOKEN="${token}"\n`);
  return { token, created: true };
}

async function waitForServer(child) {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) return false;
    try {
      const r = await fetch(`${BASE}/`);
      if (r.ok) return true;
    } catch { /* not up yet */ }
    await new Promise((res) => setTimeout(res, 250));
  }
  return false;
}

async function registerDemo(token) {
  if (!existsSync(DEMO)) {
    console.log(`\nedgevisor start: no demo kernel (${DEMO}); build it with \`npm run images:small\` and restart.`);
    return undefined;
  }
  const r = await fetch(`${BASE}/api/images?name=demo-small-kernel&kind=kernel`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/octet-stream" },
    body: readFileSync(DEMO),
  });
  const body = await r.json();
  if (!r.ok) { console.error("edgevisor start: registering the demo kernel failed:", body); return undefined; }
  return body.id;
}

const { token, created } = adminToken();
if (!existsSync(DEMO) && process.env.EDGEVISOR_SKIP_IMAGES !== "1") {
  console.log("edgevisor start: building the demo guest (small Linux kernel, a few minutes the first time)...");
  const r = spawnSync("npm", ["run", "images:small"], { stdio: "inherit", env });
  if (r.status !== 0) console.log("edgevisor start: could not build the guest images (see tools/guest/README.md); starting without the demo kernel");
}
step("npm", ["run", "--silent", "build:core"]);
step(wrangler, ["d1", "migrations", "apply", "DB", "--local"]);

const child = spawn(wrangler, ["dev", "--ip", "127.0.0.1", "--port", "8787", ...process.argv.slice(2)], { stdio: ["inherit", "inherit", "inherit"], env });
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code) => process.exit(code ?? 0));

if (await waitForServer(child)) {
  const kernel = await registerDemo(token);
  console.log(`\nEdgevisor is up at ${BASE}`);
  console.log(`admin token${created ? " (new, saved in .dev.vars)" : " (from .dev.vars)"}: ${token}`);
  if (kernel) {
    console.log(`demo kernel image: ${kernel}\n\nTry:\n  export TOKEN=${token}`);
    console.log(`  curl -s -H "Authorization: Bearer $TOKEN" -d '{"name":"demo","memoryMiB":32,"boot":{"kernel":"${kernel}"},"powerOn":true}' ${BASE}/api/vms`);
    console.log(`  curl -s -H "Authorization: Bearer $TOKEN" "${BASE}/api/vms/<id>/console/output?from=0"\n`);
  }
}
