import { createHash } from "node:crypto";
import { toMdeTime } from "../core/clock.js";
import type { EmulatorState } from "../core/state.js";
import { hostilePrefix } from "./hostile.js";
import { getCounter, setCounter } from "./identifiers.js";
import { tenantProfile, tenantRandom } from "./tenant-profile.js";

/**
 * The live response library of each tenant (mde-api.md §5.18;
 * live-response-library-methods.md): scripts and files an analyst uploads so
 * that live response sessions can put or run them. Names are unique per tenant
 * regardless of case, as on the Windows file systems the files land on.
 *
 * The table is created on first use and a tenant's library is seeded on its
 * first access, so tenants nobody asks about cost nothing.
 */

/** The library entity as list-library-files.md and upload-library.md return it. */
export interface LibraryFileEntity {
  fileName: string;
  sha256: string;
  description: string;
  creationTime: string;
  lastUpdatedTime: string;
  createdBy: string;
  hasParameters: boolean;
  parametersDescription: string | null;
}

/** A stored library file: its entity and its bytes. */
export interface LibraryFile {
  entity: LibraryFileEntity;
  content: Buffer;
}

export interface NewLibraryFile {
  fileName: string;
  content: Buffer;
  description: string;
  hasParameters: boolean;
  parametersDescription: string | null;
  createdBy: string;
  nowMs: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const initialised = new WeakSet<EmulatorState>();

function ensureTable(state: EmulatorState): void {
  if (initialised.has(state)) return;
  state.db.exec(`
    CREATE TABLE IF NOT EXISTS library_files (
      tenant_id TEXT NOT NULL, name_key TEXT NOT NULL, seq INTEGER NOT NULL,
      json TEXT NOT NULL, content BLOB NOT NULL,
      PRIMARY KEY (tenant_id, name_key)) WITHOUT ROWID;`);
  initialised.add(state);
}

/** The scripts every tenant's library starts with: our own small, plausible triage scripts. */
const SEED_SCRIPTS: ReadonlyArray<{ fileName: string; description: string; parametersDescription: string | null; text: string }> = [
  {
    fileName: "collect-triage.ps1",
    description: "Collects running processes, services and autoruns into a zip under C:\\Windows\\Temp.",
    parametersDescription: null,
    text: [
      "# Triage collection: processes, services, scheduled tasks.",
      "$out = Join-Path $env:windir 'Temp\\triage.zip'",
      "$dir = New-Item -ItemType Directory -Force -Path (Join-Path $env:TEMP 'triage')",
      "Get-Process | Select-Object Id, ProcessName, Path | Export-Csv (Join-Path $dir 'processes.csv') -NoTypeInformation",
      "Get-Service | Export-Csv (Join-Path $dir 'services.csv') -NoTypeInformation",
      "Get-ScheduledTask | Export-Csv (Join-Path $dir 'tasks.csv') -NoTypeInformation",
      "Compress-Archive -Path $dir -DestinationPath $out -Force",
      "Write-Output $out",
      "",
    ].join("\n"),
  },
  {
    fileName: "process-dump.ps1",
    description: "Writes a minidump of one process to C:\\Windows\\Temp\\<name>.dmp.zip.",
    parametersDescription: "Name of the process to dump, e.g. lsass or OfficeClickToRun (required).",
    text: [
      "param([Parameter(Mandatory = $true)][string]$ProcessName)",
      "$p = Get-Process -Name $ProcessName -ErrorAction Stop | Select-Object -First 1",
      "$dump = Join-Path $env:windir \"Temp\\$ProcessName.dmp\"",
      "rundll32.exe C:\\Windows\\System32\\comsvcs.dll, MiniDump $p.Id $dump full",
      "Compress-Archive -Path $dump -DestinationPath \"$dump.zip\" -Force",
      "Write-Output \"$dump.zip\"",
      "",
    ].join("\n"),
  },
  {
    fileName: "network-connections.sh",
    description: "Lists listening sockets and established connections (Linux and macOS).",
    parametersDescription: null,
    text: ["#!/bin/sh", "# Listening sockets and established connections.", "if command -v ss >/dev/null; then ss -tunap; else netstat -an; fi", ""].join("\n"),
  },
];

/** The file's sha256 as the entity shows it (lowercase hex). */
export const sha256Hex = (content: Buffer): string => createHash("sha256").update(content).digest("hex");

/** Seeds the tenant's library once; idempotent. */
function ensureSeeded(state: EmulatorState, tenantId: string): void {
  ensureTable(state);
  if (getCounter(state.db, tenantId, "librarySeeded", 0) === 1) return;
  const tenant = state.tenants.get(tenantId);
  const random = tenantRandom(state, tenantId, "library");
  const profile = tenant ? tenantProfile(state, tenant) : undefined;
  // The hour the generated data is anchored to (generator.ts `dataAnchor`).
  const anchor = state.clock.now() - (state.clock.now() % HOUR);
  state.db.transaction(() => {
    SEED_SCRIPTS.forEach((script, i) => {
      const created = anchor - random.int(5 * DAY, 60 * DAY);
      const content = Buffer.from(script.text, "utf8");
      const author = profile ? random.pick(profile.analysts) : "secops";
      insert(state, tenantId, {
        fileName: script.fileName,
        content,
        // A hostile tenant's analysts wrote the descriptions too.
        description: tenant?.hostile ? hostilePrefix(script.description, i) : script.description,
        hasParameters: script.parametersDescription !== null,
        parametersDescription: script.parametersDescription,
        createdBy: author,
        nowMs: created,
      });
    });
    setCounter(state.db, tenantId, "librarySeeded", 1);
  })();
}

function nextSeq(state: EmulatorState, tenantId: string): number {
  const seq = getCounter(state.db, tenantId, "librarySeq", 0) + 1;
  setCounter(state.db, tenantId, "librarySeq", seq);
  return seq;
}

function insert(state: EmulatorState, tenantId: string, file: NewLibraryFile, previous?: LibraryFileEntity): LibraryFileEntity {
  const at = toMdeTime(file.nowMs);
  const entity: LibraryFileEntity = {
    fileName: file.fileName,
    sha256: sha256Hex(file.content),
    description: file.description,
    creationTime: previous?.creationTime ?? at,
    lastUpdatedTime: at,
    createdBy: file.createdBy,
    hasParameters: file.hasParameters,
    parametersDescription: file.parametersDescription,
  };
  state.db
    .prepare(
      `INSERT INTO library_files (tenant_id, name_key, seq, json, content) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (tenant_id, name_key) DO UPDATE SET json = excluded.json, content = excluded.content`,
    )
    .run(tenantId, file.fileName.toLowerCase(), nextSeq(state, tenantId), JSON.stringify(entity), file.content);
  return entity;
}

/** The tenant's library entities, oldest first. */
export function listLibraryFiles(state: EmulatorState, tenantId: string): LibraryFileEntity[] {
  ensureSeeded(state, tenantId);
  const rows = state.db.prepare("SELECT json FROM library_files WHERE tenant_id = ? ORDER BY seq").all(tenantId) as Array<{ json: string }>;
  return rows.map((r) => JSON.parse(r.json) as LibraryFileEntity);
}

/** One library file by name (case-insensitive), or undefined. */
export function findLibraryFile(state: EmulatorState, tenantId: string, fileName: string): LibraryFile | undefined {
  ensureSeeded(state, tenantId);
  const row = state.db
    .prepare("SELECT json, content FROM library_files WHERE tenant_id = ? AND name_key = ?")
    .get(tenantId, fileName.toLowerCase()) as { json: string; content: Buffer } | undefined;
  return row ? { entity: JSON.parse(row.json) as LibraryFileEntity, content: row.content } : undefined;
}

/**
 * Adds or replaces a library file. Returns `"exists"` when the name is taken
 * and `override` is false; a replaced file keeps its creation time.
 */
export function putLibraryFile(state: EmulatorState, tenantId: string, file: NewLibraryFile, override: boolean): LibraryFileEntity | "exists" {
  const existing = findLibraryFile(state, tenantId, file.fileName);
  if (existing && !override) return "exists";
  return insert(state, tenantId, file, existing?.entity);
}

/** Removes a library file; false when there is none of that name. */
export function deleteLibraryFile(state: EmulatorState, tenantId: string, fileName: string): boolean {
  ensureSeeded(state, tenantId);
  return state.db.prepare("DELETE FROM library_files WHERE tenant_id = ? AND name_key = ?").run(tenantId, fileName.toLowerCase()).changes > 0;
}
