/**
 * The engine operations the console runs (verify, sync now, hunting, response
 * actions), bound to this console's store and partner client. One seam, so the
 * routes do not repeat the wiring.
 */

import type { PartnerClient, PartnerTenant } from "@mde-partner/client";
import type { HuntResult, ResponseActionKind, ResponseActionOutcome, Store, SyncReport, VerifyResult } from "@mde-partner/sync";
import * as sync from "@mde-partner/sync";

export interface ActionRequest {
  readonly actor: string;
  readonly tenantId: string;
  readonly machineId: string;
  readonly action: ResponseActionKind;
  readonly comment: string;
  readonly isolationType?: string;
  readonly scanType?: string;
  /** live-response: the commands to run. */
  readonly commands?: ReadonlyArray<{ type: string; params: ReadonlyArray<{ key: string; value: string }> }>;
}

export interface ConsoleEngine {
  verifyTenant(tenantId: string): Promise<VerifyResult>;
  sync(tenantIds: readonly string[]): Promise<SyncReport>;
  hunt(tenantIds: readonly string[], query: string): Promise<HuntResult>;
  runAction(request: ActionRequest): Promise<ResponseActionOutcome>;
}

export function createConsoleEngine(deps: { store: Store; partner: PartnerClient<PartnerTenant>; requiredPermissions: readonly string[] }): ConsoleEngine {
  const { store, partner } = deps;
  return {
    verifyTenant: (tenantId) => sync.verifyTenant({ store, partner, tenantId, requiredPermissions: deps.requiredPermissions }),
    sync: (tenantIds) => sync.syncOnce({ store, partner, tenantIds }),
    hunt: (tenantIds, query) => sync.huntAcrossTenants({ store, partner, tenantIds, query }),
    runAction: (request) =>
      sync.runResponseAction({
        store,
        partner,
        actor: request.actor,
        tenantId: request.tenantId,
        machineId: request.machineId,
        action: request.action,
        comment: request.comment,
        ...(request.isolationType !== undefined ? { isolationType: request.isolationType } : {}),
        ...(request.scanType !== undefined ? { scanType: request.scanType } : {}),
        ...(request.commands !== undefined ? { commands: request.commands } : {}),
        wait: false,
      }),
  };
}
