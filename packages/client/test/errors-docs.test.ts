import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import * as client from "@mde-partner/client";

const docs = readFileSync(new URL("../../../docs/errors.md", import.meta.url), "utf8");
const documented = new Set([...docs.matchAll(/^\| `(ERR_MDE_[A-Z_]+)` \| `(\w+)` \|/gm)].map((m) => `${m[1]}:${m[2]}`));

describe("docs/errors.md", () => {
  it("lists every exported code with its class, and nothing else", () => {
    const codes = new Set<string>(client.MDE_ERROR_CODES);
    const documentedCodes = new Set([...documented].map((e) => e.split(":")[0]));
    assert.deepEqual(
      [...codes].filter((c) => !documentedCodes.has(c)),
      [],
      "codes missing from docs/errors.md",
    );
    assert.deepEqual(
      [...documentedCodes].filter((c) => !codes.has(c!)),
      [],
      "docs/errors.md lists codes the library does not have",
    );
  });

  it("names the exported class that carries each code", () => {
    for (const entry of documented) {
      const [code, className] = entry.split(":") as [string, string];
      const ctor = (client as Record<string, unknown>)[className];
      assert.equal(typeof ctor, "function", `${className} is exported`);
      assert.ok((ctor as { prototype: unknown }).prototype instanceof client.MdeError, `${className} extends MdeError`);
      // Build one with placeholder arguments (the constructors differ only in their extra field) and read its code.
      const extra: Record<string, unknown[]> = {
        MdeConsentRequiredError: ["m", "https://consent"],
        MdeSecretInvalidError: ["m", "abc"],
        MdeSecretExpiredError: ["m", "abc"],
        MdeRateLimitedError: ["m", 1000],
        MdeForbiddenError: ["m", []],
        MdeNetworkError: ["m", false],
      };
      const instance = new (ctor as new (...args: unknown[]) => client.MdeError)(...(extra[className] ?? ["m"]));
      assert.equal(instance.code, code, `${className} carries ${code}`);
    }
  });
});
