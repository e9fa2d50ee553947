// The JSON API's OpenAPI document: served to signed-in operators and API tokens only, and kept in
// step with the routes the Hono app really registers (a route added or removed without the
// document fails here), with the top-level shape of every parameterless GET checked against
// what the route answers.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Agent, createWorld, signedIn, type World } from "./support.js";

interface Doc {
  openapi: string;
  info: { title: string };
  paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }>; responses: Record<string, { content?: Record<string, { schema: Schema }> }> }>>;
  components: { schemas: Record<string, Schema>; securitySchemes: Record<string, { type: string; scheme?: string; in?: string }> };
}
type Schema = { $ref?: string; type?: string; required?: string[]; properties?: Record<string, Schema>; allOf?: Schema[] };

let world: World;
let doc: Doc;

before(async () => {
  world = await createWorld();
  const viewer = await signedIn(world, "viewer");
  const res = await viewer.request("/api/v1/openapi.json");
  assert.equal(res.status, 200);
  doc = (await res.json()) as Doc;
});
after(() => world.close());

/** Hono's `/api/v1/tenants/:tenantId` as OpenAPI writes it. */
const openApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?/g, "{$1}");

/** The app's JSON API routes: method (lower case) and OpenAPI path, without the catch-all and middleware. */
function registeredRoutes(): Set<string> {
  const out = new Set<string>();
  for (const r of world.console.app.routes) {
    if (!r.path.startsWith("/api/v1/") || r.method === "ALL" || r.path.includes("*")) continue;
    out.add(`${r.method.toLowerCase()} ${openApiPath(r.path)}`);
  }
  return out;
}

/** The required top-level fields of a schema (through `$ref` and `allOf`). */
function requiredOf(schema: Schema): string[] {
  if (schema.$ref) return requiredOf(doc.components.schemas[schema.$ref.split("/").at(-1)!]!);
  return [...(schema.required ?? []), ...(schema.allOf ?? []).flatMap(requiredOf)];
}

describe("OpenAPI document", () => {
  it("is not served without a session or token; any signed-in operator or API token gets it", async () => {
    const anonymous = await new Agent(world.console).request("/api/v1/openapi.json");
    assert.equal(anonymous.status, 401);
    assert.equal(doc.openapi, "3.1.0");
    assert.deepEqual(Object.keys(doc.components.securitySchemes).sort(), ["bearer", "cookie"]);
    assert.equal(doc.components.securitySchemes.bearer?.scheme, "bearer");
    assert.equal(doc.components.securitySchemes.cookie?.in, "cookie");

    const admin = await signedIn(world, "admin");
    const created = await (await admin.form("/admin/tokens", { name: "openapi-reader", role: "viewer", group: "", expires: "7" })).text();
    const token = /<code id="new-token">([^<]+)<\/code>/.exec(created)?.[1] ?? "";
    const res = await world.console.app.request("http://127.0.0.1:8080/api/v1/openapi.json", { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), doc);
  });

  it("documents every /api/v1 route the app registers, and nothing the app does not have", () => {
    const registered = registeredRoutes();
    const documented = new Set(Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`)));
    assert.ok(registered.size >= 25, `found only ${registered.size} routes: the walk is broken`);
    assert.deepEqual([...registered].filter((r) => !documented.has(r)).sort(), [], "routes missing from the OpenAPI document");
    assert.deepEqual([...documented].filter((r) => !registered.has(r)).sort(), [], "documented operations the app does not have");
  });

  it("every operation declares its path parameters, a JSON success response and resolvable references", () => {
    const text = JSON.stringify(doc);
    for (const ref of text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) assert.ok(doc.components.schemas[ref[1]!], `unresolved $ref ${ref[1]}`);
    for (const [path, ops] of Object.entries(doc.paths)) {
      const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(ops)) {
        const declared = (op.parameters ?? []).filter((p) => p.in === "path").map((p) => p.name);
        assert.deepEqual(declared, names, `${method} ${path} path parameters`);
        const success = Object.keys(op.responses).filter((s) => s.startsWith("2"));
        assert.ok(success.length > 0, `${method} ${path} has a success response`);
        for (const s of success) assert.ok(op.responses[s]?.content?.["application/json"]?.schema, `${method} ${path} ${s} has a JSON schema`);
        assert.ok(op.responses["401"], `${method} ${path} documents 401`);
      }
    }
  });

  it("the documented top-level fields are what the parameterless GET routes answer", async () => {
    const admin = await signedIn(world, "admin");
    for (const [path, ops] of Object.entries(doc.paths)) {
      if (path.includes("{") || !ops.get) continue;
      const res = await admin.request(path);
      assert.equal(res.status, 200, path);
      const body = (await res.json()) as Record<string, unknown>;
      const schema = ops.get.responses["200"]!.content!["application/json"]!.schema;
      for (const field of requiredOf(schema)) assert.ok(field in body, `${path} answers ${field}`);
    }
  });
});
