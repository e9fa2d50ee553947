import { randomUUID } from "node:crypto";
import { toStsTimestamp } from "../core/clock.js";
import type { EmulatorState } from "../core/state.js";

export interface StsErrorSpec {
  /** OAuth `error` value (invalid_client, unauthorized_client, invalid_scope, …). */
  error: string;
  /** AADSTS number without the prefix, e.g. 700016. */
  code: number;
  /** Message after `AADSTSnnnn: `. */
  message: string;
  /** HTTP status; defaults to the configured status per code, else 401 for invalid_client, else 400. */
  status?: number;
  headers?: Record<string, string>;
}

/**
 * A token-endpoint error exactly in the documented shape (mde-api.md §1.7;
 * examples/token-error-reference-sample.response.json): `error`,
 * `error_description` carrying the AADSTS code and Trace/Correlation/Timestamp
 * lines, `error_codes`, `timestamp`, `trace_id`, `correlation_id`, `error_uri`.
 */
export function stsError(state: EmulatorState, spec: StsErrorSpec): Response {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = toStsTimestamp(state.clock.now());
  const body = {
    error: spec.error,
    error_description: `AADSTS${spec.code}: ${spec.message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
    error_codes: [spec.code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `${state.baseUrl}/error?code=${spec.code}`,
  };
  const status = spec.status ?? state.options.tokenErrorStatus[String(spec.code)] ?? (spec.error === "invalid_client" ? 401 : 400);
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store, no-cache", ...spec.headers },
  });
}
