import { operation, type OperationSpec } from "./operation-context.js";

/** The live response library (mde-api.md §5.18): 100/min, 1,500/h like most operations. */
export const libraryOperations: OperationSpec[] = [
  // §5.18 Live response library.
  operation("GET", "libraryfiles", "ListLibraryFiles", ["Library.Manage"], undefined, { perMinute: 100, perHour: 1500 }),
  operation("POST", "libraryfiles", "UploadLibraryFile", ["Library.Manage"], undefined, { perMinute: 100, perHour: 1500 }),
  operation("DELETE", "libraryfiles/{fileName}", "DeleteLibraryFile", ["Library.Manage"], undefined, { perMinute: 100, perHour: 1500 }),
];
