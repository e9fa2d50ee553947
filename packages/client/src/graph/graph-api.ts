/**
 * The typed Microsoft Graph security API of one customer tenant: hunting, alerts_v2, incidents,
 * all sending through one Graph transport (its own token audience, budgets and origin).
 *
 * @example
 * const { results } = await tenant.graph.hunting.run("DeviceInfo | take 5");
 * for await (const incident of tenant.graph.incidents.list({ filter: (f) => f.eq("status", "active") })) console.log(incident.id);
 */
import { apiOver } from "../mde/call.js";
import type { MdeTransport } from "../pipeline/transport.js";
import { createGraphAlertsResource, type GraphAlertsResource } from "./alerts.js";
import { createGraphDetectionRulesResource, type GraphDetectionRulesResource } from "./detection-rules.js";
import { createGraphHuntingResource, type GraphHuntingResource } from "./hunting.js";
import { createGraphIncidentsResource, type GraphIncidentsResource } from "./incidents.js";

/** The Graph security API of one tenant (`partner.tenant(id).graph`). */
export interface GraphApi {
  /** The Graph transport every call goes through (base URL = the cloud's Graph root). */
  readonly transport: MdeTransport;
  readonly tenantId: string;
  readonly hunting: GraphHuntingResource;
  readonly alerts: GraphAlertsResource;
  readonly incidents: GraphIncidentsResource;
  readonly detectionRules: GraphDetectionRulesResource;
}

/** Creates the Graph security API over a Graph transport. */
export function createGraphApi(transport: MdeTransport): GraphApi {
  return apiOver(transport, "createGraphClient needs a transport", () => ({
    hunting: createGraphHuntingResource(transport),
    alerts: createGraphAlertsResource(transport),
    incidents: createGraphIncidentsResource(transport),
    detectionRules: createGraphDetectionRulesResource(transport),
  }));
}

/** @deprecated The Graph security API is {@link GraphApi} (`tenant.graph`). */
export type GraphClient = GraphApi;
/** @deprecated Use {@link createGraphApi}. */
export const createGraphClient = createGraphApi;
