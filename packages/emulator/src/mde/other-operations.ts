import type { OperationSpec } from "./operation-context.js";

/** Advanced hunting (mde-api.md §5.4): dispatched to the hunting module, which authorizes and answers. */
export const otherOperations: OperationSpec[] = [
  { method: "POST", path: "advancedqueries/run", name: "RunAdvancedQuery", roles: ["AdvancedQuery.Read.All"], external: true },
  { method: "GET", path: "advancedqueries", name: "RunAdvancedQuery", roles: ["AdvancedQuery.Read.All"], external: true },
];
