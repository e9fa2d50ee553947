/**
 * PEM inputs (CA certificates, client certificates, private keys) are accepted
 * either inline or as a file path, read once when options are resolved.
 */
import { readFileSync } from "node:fs";

/**
 * Returns PEM text: `value` itself when it already holds a PEM block, else the
 * content of the file it names. Throws a `TypeError` that names the option (never
 * the content, which may be a private key).
 */
export function readPem(value: unknown, what: string, label?: string): string {
  if (typeof value !== "string" || value.length === 0) throw new TypeError(`${what} must be a PEM string or a path to a PEM file`);
  let text = value;
  if (!value.includes("-----BEGIN ")) {
    try {
      text = readFileSync(value, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
      throw new TypeError(`${what}: cannot read PEM file ${JSON.stringify(value)} (${code})`);
    }
  }
  if (!text.includes("-----BEGIN ")) throw new TypeError(`${what} does not contain a PEM block`);
  if (label !== undefined && !text.includes(`-----BEGIN ${label}-----`))
    throw new TypeError(`${what} does not contain a ${label} PEM block`);
  return text;
}
