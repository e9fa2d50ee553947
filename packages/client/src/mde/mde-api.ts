/**
 * The typed MDE API of one customer tenant: one resource object per family (mde-api.md §5.1–§5.18),
 * all sending through one `MdeTransport` (the pipeline: auth, budgets, retry, typed errors).
 *
 * @example
 * const mde = createMdeApi(transport); // or `partner.tenant(id).mde`
 * for await (const alert of mde.alerts.list({ filter: (f) => f.eq("status", "New") })) console.log(alert.id);
 * const action = await mde.machineActions.isolate(machineId, { comment: "alert 1234", isolationType: "Full" });
 * await mde.machineActions.waitForCompletion(action.id);
 */
import { type AlertsResource, createAlertsResource } from "./alerts.js";
import { createDeviceAvHealthResource, type DeviceAvHealthResource } from "./device-av-health.js";
import { createDomainsResource, type DomainsResource } from "./domains.js";
import { createExportsResource, type ExportsResource } from "./exports.js";
import { createFilesResource, type FilesResource } from "./files.js";
import { createHuntingResource, type HuntingResource } from "./hunting.js";
import { createIndicatorsResource, type IndicatorsResource } from "./indicators.js";
import { createInvestigationsResource, type InvestigationsResource } from "./investigations.js";
import { createIpsResource, type IpsResource } from "./ips.js";
import { createLibraryResource, type LibraryResource } from "./library.js";
import { createMachineActionsResource, type MachineActionsResource } from "./machine-actions.js";
import { createMachinesResource, type MachinesResource } from "./machines.js";
import { createRecommendationsResource, type RecommendationsResource } from "./recommendations.js";
import { createRemediationTasksResource, type RemediationTasksResource } from "./remediation-tasks.js";
import { createScoresResource, type ScoresResource } from "./scores.js";
import { createSoftwareResource, type SoftwareResource } from "./software.js";
import { createUsersResource, type UsersResource } from "./users.js";
import { createVulnerabilitiesResource, type VulnerabilitiesResource } from "./vulnerabilities.js";
import type { Clock } from "../clock.js";
import { apiOver } from "./call.js";
import type { MdeTransport } from "../pipeline/transport.js";

/** Options of {@link createMdeApi}. */
export interface MdeApiOptions {
  /** Clock (and its `sleep`) used by `machineActions.waitForCompletion` and time-window checks (default: real time). */
  clock?: Clock;
  /** Runs before each legacy hunting call (the partner client warns about the 2027-02-01 retirement). */
  onLegacyHunting?: () => void;
}

/** The typed MDE API of one tenant (`partner.tenant(id).mde`). */
export interface MdeApi {
  /** The transport every call goes through. */
  readonly transport: MdeTransport;
  /** The tenant the transport authenticates for. */
  readonly tenantId: string;
  readonly alerts: AlertsResource;
  readonly machines: MachinesResource;
  readonly machineActions: MachineActionsResource;
  /** @deprecated Legacy hunting stops returning data on 2027-02-01; Microsoft Graph `runHuntingQuery` is the successor. */
  readonly hunting: HuntingResource;
  readonly indicators: IndicatorsResource;
  readonly investigations: InvestigationsResource;
  readonly files: FilesResource;
  readonly domains: DomainsResource;
  readonly ips: IpsResource;
  readonly users: UsersResource;
  readonly software: SoftwareResource;
  readonly vulnerabilities: VulnerabilitiesResource;
  readonly recommendations: RecommendationsResource;
  readonly scores: ScoresResource;
  readonly remediationTasks: RemediationTasksResource;
  readonly deviceAvHealth: DeviceAvHealthResource;
  readonly exports: ExportsResource;
  readonly library: LibraryResource;
}

/** Creates the typed MDE API over a transport for one tenant. */
export function createMdeApi(transport: MdeTransport, options: MdeApiOptions = {}): MdeApi {
  return apiOver(transport, "createTenantClient needs an MdeTransport", () => ({
    alerts: createAlertsResource(transport),
    machines: createMachinesResource(transport),
    machineActions: createMachineActionsResource(transport, options.clock),
    hunting: createHuntingResource(transport, options.onLegacyHunting),
    indicators: createIndicatorsResource(transport),
    investigations: createInvestigationsResource(transport),
    files: createFilesResource(transport),
    domains: createDomainsResource(transport),
    ips: createIpsResource(transport),
    users: createUsersResource(transport),
    software: createSoftwareResource(transport),
    vulnerabilities: createVulnerabilitiesResource(transport),
    recommendations: createRecommendationsResource(transport),
    scores: createScoresResource(transport),
    remediationTasks: createRemediationTasksResource(transport),
    deviceAvHealth: createDeviceAvHealthResource(transport),
    exports: createExportsResource(transport, options.clock ? () => options.clock!.now() : undefined),
    library: createLibraryResource(transport),
  }));
}

/** @deprecated The typed MDE API is {@link MdeApi} (`tenant.mde`). */
export type TenantClient = MdeApi;
/** @deprecated Use {@link MdeApiOptions}. */
export type TenantClientOptions = MdeApiOptions;
/** @deprecated Use {@link createMdeApi}. */
export const createTenantClient = createMdeApi;
