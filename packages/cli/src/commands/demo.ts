import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEmulator } from "@mde-partner/emulator";
import { EXIT } from "../errors.js";

export interface DemoOptions {
  serve: boolean;
}

/** `mde-partner demo`: the partner flow on an embedded emulator. */
export async function runDemo(
  options: DemoOptions,
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream; env: NodeJS.ProcessEnv },
): Promise<number> {
  const home = mkdtempSync(join(tmpdir(), "mde-partner-demo-"));
  const emulator = await createEmulator({
    stateDir: join(home, "emulator"),
    tenants: [{}, {}, { consented: false }, { roles: ["Alert.Read.All", "Machine.Read.All", "AdvancedQuery.Read.All"] }],
    alertsPerTenant: 200,
  });
  const info = await emulator.start();
  io.stdout.write(`emulator ready at ${info.loginUrl} (CA ${info.caCertFile})\n`);
  for (const t of info.tenants) {
    io.stdout.write(`  ${t.name.padEnd(22)} ${t.id}  consented=${t.consented}  roles=${t.roles.length}  alerts=${t.alerts}\n`);
  }
  if (!options.serve) {
    await emulator.stop();
    return EXIT.ok;
  }
  io.stdout.write("press Ctrl+C to stop\n");
  await new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  await emulator.stop();
  return EXIT.ok;
}
