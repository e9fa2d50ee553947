/**
 * Operator passwords: scrypt from node:crypto with a random salt per user.
 * Encoded as `scrypt$<N>$<r>$<p>$<salt b64url>$<hash b64url>` so the cost can
 * be raised later without breaking stored hashes.
 */
import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";

const KEY_LENGTH = 64;
const DEFAULT_COST = { N: 16_384, r: 8, p: 1 } as const;

function derive(password: string, salt: Buffer, cost: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { ...cost, maxmem: 128 * cost.N * cost.r * 2 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFKC"), salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** The one password rule for operators, wherever a password is set (console form, `users add`, `init`). */
export const MIN_PASSWORD_LENGTH = 12;

/** Why `password` breaks the rule, or undefined when it keeps it. */
export function passwordProblem(password: unknown): string | undefined {
  if (typeof password !== "string" || password.length < MIN_PASSWORD_LENGTH) return `the password must be at least ${MIN_PASSWORD_LENGTH} characters`;
  return undefined;
}

/** Hashes a password for the users file (a `TypeError` when it breaks the rule). */
export async function hashPassword(password: string): Promise<string> {
  const problem = passwordProblem(password);
  if (problem) throw new TypeError(problem);
  const salt = randomBytes(16);
  const key = await derive(password, salt, DEFAULT_COST);
  const { N, r, p } = DEFAULT_COST;
  return ["scrypt", N, r, p, salt.toString("base64url"), key.toString("base64url")].join("$");
}

/** A hash of a password nobody knows: verified against when the user does not exist, so timing does not tell. */
export const DECOY_HASH = `scrypt$${DEFAULT_COST.N}$${DEFAULT_COST.r}$${DEFAULT_COST.p}$${"A".repeat(22)}$${"A".repeat(86)}`;

/** True when `password` matches `encoded` (constant-time compare). */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parts = encoded.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0)) return false;
  const salt = Buffer.from(parts[4] ?? "", "base64url");
  const expected = Buffer.from(parts[5] ?? "", "base64url");
  if (expected.length !== KEY_LENGTH) return false;
  const actual = await derive(typeof password === "string" ? password : "", salt, { N, r, p });
  return timingSafeEqual(actual, expected);
}
