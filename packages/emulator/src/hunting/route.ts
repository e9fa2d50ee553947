import type { AppContext } from "../core/http.js";
import { type JsonBodyProblem, parseJsonObject } from "../core/json-body.js";
import type { EmulatorState } from "../core/state.js";
import { mdeError } from "../mde/errors.js";
import { authorize } from "../mde/operation.js";
import { KqlError, toJsonResult } from "./kql/engine.js";
import { runHuntingQuery } from "./run-query.js";

/** Result size above which the API refuses the query (mde-api.md §5.4: 124 MB on the MDE page). */
const MAX_RESULT_BYTES = 124 * 1024 * 1024;

const BODY_PROBLEMS: Readonly<Record<JsonBodyProblem, string>> = {
  empty: 'the body is empty; expected {"Query": "<KQL>"}.',
  syntax: 'it is not valid JSON; expected {"Query": "<KQL>"}.',
  shape: 'expected a JSON object {"Query": "<KQL>"}.',
};

type QueryInput = { ok: true; query: string } | { ok: false; response: Response };

/**
 * The query text: `{"Query": "…"}` in a POST body (the name is case-sensitive,
 * mde-api.md §3.2), or `?key=<query>` on the GET form Power BI uses (§5.4).
 */
async function readQuery(c: AppContext): Promise<QueryInput> {
  const fail = (code: string, message: string): QueryInput => {
    c.get("journal").error = code;
    return { ok: false, response: mdeError(400, code, message) };
  };
  if (c.req.method.toUpperCase() === "GET") {
    const key = new URL(c.req.url).searchParams.get("key");
    if (key === null || key.trim() === "") return fail("MissingRequiredParameter", "Parameter key is missing: pass the query as ?key=<URL-encoded KQL>.");
    return { ok: true, query: key };
  }
  const record = parseJsonObject(await c.req.text());
  if (typeof record === "string") return fail("InvalidRequestBody", `Request body is incorrect: ${BODY_PROBLEMS[record]}`);
  const value = record.Query;
  if (value === undefined || value === null) {
    const miscased = Object.keys(record).find((k) => k.toLowerCase() === "query");
    return fail(
      "MissingRequiredParameter",
      miscased ? `Parameter Query is missing: body parameters are case-sensitive; found '${miscased}', expected 'Query'.` : "Parameter Query is missing.",
    );
  }
  if (typeof value !== "string") return fail("InvalidRequestBody", "Request body is incorrect: 'Query' must be a string.");
  if (value.trim() === "") return fail("MissingRequiredParameter", "Parameter Query is empty.");
  return { ok: true, query: value };
}

/**
 * Handler for `POST /api/advancedqueries/run` and `GET /api/advancedqueries?key=`
 * (run-advanced-query-api.md; mde-api.md §5.4): needs AdvancedQuery.Read.All,
 * shares one budget of 45 calls a minute and 1,500 an hour per app and tenant
 * (§7), and answers `{"Schema":[{"Name","Type"}],"Results":[…]}` exactly like
 * examples/advanced-hunting.response.json (no `Stats`). Queries the emulator
 * cannot run are 400 BadRequest with a message that points at the problem.
 */
export function createHuntingHandler(state: EmulatorState): (c: AppContext) => Promise<Response> {
  return async (c) => {
    const auth = await authorize(state, c, {
      name: "RunAdvancedQuery",
      roles: ["AdvancedQuery.Read.All"],
      limits: { perMinute: 45, perHour: 1500 },
      bucket: "AdvancedHunting",
    });
    if (!auth.ok) return auth.response;
    const input = await readQuery(c);
    if (!input.ok) return input.response;
    let result;
    try {
      result = toJsonResult(runHuntingQuery(state, auth.token.tenantId, input.query));
    } catch (error) {
      if (!(error instanceof KqlError)) throw error;
      c.get("journal").error = "BadRequest";
      return mdeError(400, "BadRequest", error.message);
    }
    const body = JSON.stringify({
      Schema: result.schema.map((s) => ({ Name: s.name, Type: s.type })),
      Results: result.rows,
    });
    if (Buffer.byteLength(body) > MAX_RESULT_BYTES) {
      c.get("journal").error = "BadRequest";
      return mdeError(400, "BadRequest", "Query execution has exceeded the allowed result size. Optimize your query by limiting the number of results and try again.");
    }
    return new Response(body, { status: 200, headers: { "content-type": "application/json; charset=utf-8" } });
  };
}
