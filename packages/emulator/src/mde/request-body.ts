import type { AppContext } from "../core/http.js";
import { type JsonBodyProblem, parseJsonObject } from "../core/json-body.js";
import { MdeApiError } from "./errors.js";

const BODY_PROBLEMS: Readonly<Record<JsonBodyProblem, string>> = { empty: "the body is empty.", syntax: "it is not valid JSON.", shape: "a JSON object is expected." };

/** Reads a JSON object body; anything else is 400 InvalidRequestBody (common-errors.md). */
export async function readJsonObject(c: AppContext): Promise<Record<string, unknown>> {
  const body = parseJsonObject(await c.req.text());
  if (typeof body === "string") throw new MdeApiError(400, "InvalidRequestBody", `Request body is incorrect: ${BODY_PROBLEMS[body]}`);
  return body;
}

/**
 * Enforces the documented body property names with their exact casing
 * ("Body parameters are case-sensitive", common-errors.md; mde-api.md §3.2):
 * an unknown or wrongly-cased property is 400 InvalidRequestBody naming it; a
 * missing required one is 400 MissingRequiredParameter.
 */
export function checkBody(body: Record<string, unknown>, allowed: readonly string[], required: readonly string[] = []): void {
  for (const key of Object.keys(body)) {
    if (allowed.includes(key)) continue;
    const cased = allowed.find((a) => a.toLowerCase() === key.toLowerCase());
    throw new MdeApiError(
      400,
      "InvalidRequestBody",
      cased
        ? `Request body is incorrect: body parameters are case-sensitive; found '${key}', expected '${cased}'.`
        : `Request body is incorrect: unknown property '${key}'. Allowed: ${allowed.join(", ")}.`,
    );
  }
  for (const key of required) {
    const value = body[key];
    if (value === undefined || value === null || value === "")
      throw new MdeApiError(400, "MissingRequiredParameter", `Parameter ${key} is missing.`);
  }
}

/** A string property (or undefined); other JSON types are 400 InvalidRequestBody. */
export function optionalString(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw new MdeApiError(400, "InvalidRequestBody", `Request body is incorrect: '${key}' must be a string.`);
  return value;
}

/** An enum property checked against its documented values. */
export function optionalEnum<T extends string>(body: Record<string, unknown>, key: string, values: readonly T[]): T | undefined {
  const value = optionalString(body, key);
  if (value === undefined) return undefined;
  if (!values.includes(value as T)) {
    throw new MdeApiError(
      400,
      "InvalidRequestBody",
      `Request body is incorrect: '${value}' is not a valid ${key} (one of ${values.join(", ")}).`,
    );
  }
  return value as T;
}
