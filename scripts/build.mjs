// Compiles TypeScript to CommonJS in dist/, then puts each node's editor files (.html, locales/,
// icons/) beside its compiled .js, where Node-RED looks for them.
import { execFileSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

rmSync("dist", { recursive: true, force: true });
execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "."], { stdio: "inherit" });

if (existsSync("nodes")) {
  for (const name of readdirSync("nodes")) {
    const dir = join("nodes", name);
    if (!statSync(dir).isDirectory()) continue;
    for (const entry of readdirSync(dir)) {
      if (entry.endsWith(".html") || entry === "locales" || entry === "icons") {
        cpSync(join(dir, entry), join("dist", dir, entry), { recursive: true });
      }
    }
  }
}
chmodSync("dist/src/sim/cli.js", 0o755);
chmodSync("dist/src/replay/cli.js", 0o755);
chmodSync("dist/src/preflight/cli.js", 0o755);
