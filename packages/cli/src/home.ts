import { homedir } from "node:os";
import { join } from "node:path";

/** The state folder: `MDE_PARTNER_HOME`, default `~/.mde-partner`. */
export function partnerHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.MDE_PARTNER_HOME && env.MDE_PARTNER_HOME.trim() !== "" ? env.MDE_PARTNER_HOME : join(homedir(), ".mde-partner");
}
