import type Database from "better-sqlite3";

/** Creates the emulator's tables. (Owned by the data module; see generator.ts.) */
export function initSchema(db: Database.Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS alerts (
      tenant_id TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL,
      last_update_time TEXT NOT NULL, json TEXT NOT NULL, evidence TEXT NOT NULL DEFAULT '[]',
      PRIMARY KEY (tenant_id, id));
    CREATE TABLE IF NOT EXISTS machines (
      tenant_id TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL, json TEXT NOT NULL,
      PRIMARY KEY (tenant_id, id));
  `);
}
