/**
 * Operator accounts live in a JSON file of their own (mode 0600), not in the
 * store: whoever can read the store's database must not learn password hashes,
 * and the accounts outlive a store being rebuilt.
 */
import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { hashPassword } from "./password.js";

/** What an operator may do: viewer reads, responder also acts on alerts and devices, admin also manages tenants and users. */
export type Role = "viewer" | "responder" | "admin";

export const ROLES: readonly Role[] = Object.freeze(["viewer", "responder", "admin"]);

const RANK: Readonly<Record<Role, number>> = Object.freeze({ viewer: 0, responder: 1, admin: 2 });

/** True when `role` includes everything `needed` may do. */
export function roleAtLeast(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}

export interface UserRecord {
  readonly name: string;
  readonly role: Role;
  readonly passwordHash: string;
  readonly createdAt: string;
}

interface UsersFileContent {
  version: 1;
  users: UserRecord[];
}

const NAME = /^[A-Za-z0-9._@-]{1,64}$/;

function checkRole(role: unknown): Role {
  if (typeof role !== "string" || !ROLES.includes(role as Role)) throw new TypeError(`role must be one of ${ROLES.join(", ")}`);
  return role as Role;
}

/** Reads the users file; a missing file is an empty list. */
export async function readUsers(usersFile: string): Promise<UserRecord[]> {
  let text: string;
  try {
    text = await readFile(usersFile, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<UsersFileContent>;
  if (parsed.version !== 1 || !Array.isArray(parsed.users)) throw new Error(`${usersFile} is not an mde-partner users file`);
  return parsed.users.filter((u) => typeof u?.name === "string" && typeof u.passwordHash === "string" && ROLES.includes(u.role));
}

/** Writes the whole file atomically (temporary file, then rename) with mode 0600. */
async function writeUsers(usersFile: string, users: readonly UserRecord[]): Promise<void> {
  await mkdir(dirname(usersFile), { recursive: true, mode: 0o700 });
  const tmp = `${usersFile}.${randomBytes(6).toString("hex")}.tmp`;
  const content: UsersFileContent = { version: 1, users: [...users] };
  await writeFile(tmp, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, usersFile);
}

/**
 * Adds an operator, or replaces the password and role of an existing one.
 *
 * @example await addUser(join(home, "console-users.json"), { name: "alice", password: "correct horse battery", role: "admin" });
 */
export async function addUser(usersFile: string, user: { name: string; password: string; role: Role }): Promise<void> {
  if (typeof user.name !== "string" || !NAME.test(user.name)) {
    throw new TypeError("user name must be 1-64 characters of letters, digits, '.', '_', '@' or '-'");
  }
  const role = checkRole(user.role);
  const passwordHash = await hashPassword(user.password);
  const users = await readUsers(usersFile);
  const existing = users.find((u) => u.name === user.name);
  const record: UserRecord = { name: user.name, role, passwordHash, createdAt: existing?.createdAt ?? new Date().toISOString() };
  await writeUsers(usersFile, [...users.filter((u) => u.name !== user.name), record]);
}

/** Removes an operator; false when there was none of that name. */
export async function removeUser(usersFile: string, name: string): Promise<boolean> {
  const users = await readUsers(usersFile);
  const kept = users.filter((u) => u.name !== name);
  if (kept.length === users.length) return false;
  await writeUsers(usersFile, kept);
  return true;
}
