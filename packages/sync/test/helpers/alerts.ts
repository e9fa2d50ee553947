import type { AlertInput } from "@mde-partner/sync";

/** A small alert shaped like mde-api.md §6.1, changed by `extra`. */
export function alertInput(id: string, lastUpdateTime: string, extra: Record<string, unknown> = {}): AlertInput & Record<string, unknown> {
  return {
    id,
    title: `Suspicious activity ${id}`,
    severity: "Medium",
    status: "New",
    classification: null,
    determination: null,
    assignedTo: null,
    machineId: "1e5bc9d7e413ddd7902c2932e418702b84d0cc07",
    alertCreationTime: "2024-03-01T10:00:00.1234567Z",
    lastUpdateTime,
    comments: [],
    ...extra,
  };
}
