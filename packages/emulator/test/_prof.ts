import { createEmulator, createManualClock } from "@mde-partner/emulator";
const t0 = performance.now();
const e = await createEmulator({ clock: createManualClock(Date.UTC(2026,4,4)), tenants: [{ alerts: 60000, machines: 500 }], stateDir: "/tmp/prof-state" });
console.log("ms", performance.now() - t0);
await e.stop();
