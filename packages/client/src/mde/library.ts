/**
 * Live response library (mde-api.md §5.18; list-library-files.md, upload-library.md, delete-library.md).
 * Upload is `multipart/form-data` with PascalCase fields (`File`, `Description`, `ParametersDescription`,
 * `HasParameters`, `OverrideIfExists`); the body is a `FormData` that the pipeline sends as-is.
 */
import type { LibraryFile } from "./models/library-file.js";
import type { PagedResult } from "../odata/paging.js";
import { path } from "../pipeline/path.js";
import type { MdeTransport } from "../pipeline/transport.js";
import { buildRequest, linkedList, type RequestOptions, requireText, sendJson, sendVoid } from "./call.js";

/** Documented maximum upload size (20 MB). */
export const MAX_LIBRARY_FILE_BYTES = 20 * 1024 * 1024;

/** What to upload. */
export interface LibraryUpload {
  /** File name as it will appear in the library (e.g. `minidump.ps1`). */
  fileName: string;
  content: Blob | Uint8Array | string;
  description?: string;
  parametersDescription?: string;
  hasParameters?: boolean;
  overrideIfExists?: boolean;
}

/** The live response library API of one tenant. */
export interface LibraryResource {
  /** `GET /api/libraryfiles`. */
  list(options?: RequestOptions): PagedResult<LibraryFile>;
  /** `POST /api/libraryfiles` (multipart, ≤ 20 MB). */
  upload(file: LibraryUpload, options?: RequestOptions): Promise<LibraryFile>;
  /** `DELETE /api/libraryfiles/{fileName}` (204). */
  delete(fileName: string, options?: RequestOptions): Promise<void>;
}

/** Creates the library resource over a transport. */
export function createLibraryResource(transport: MdeTransport): LibraryResource {
  return {
    list: (options = {}) => linkedList(transport, "ListLibraryFiles", "/api/libraryfiles", options),
    upload: (file, options = {}) => {
      requireText(file?.fileName, "fileName");
      const blob = file.content instanceof Blob ? file.content : new Blob([file.content]);
      if (blob.size > MAX_LIBRARY_FILE_BYTES)
        throw new TypeError(`library file ${file.fileName} is ${blob.size} bytes; the maximum is 20 MB`);
      const form = new FormData();
      form.set("File", blob, file.fileName);
      if (file.description !== undefined) form.set("Description", file.description);
      if (file.parametersDescription !== undefined) form.set("ParametersDescription", file.parametersDescription);
      if (file.hasParameters !== undefined) form.set("HasParameters", String(file.hasParameters));
      if (file.overrideIfExists !== undefined) form.set("OverrideIfExists", String(file.overrideIfExists));
      return sendJson<LibraryFile>(
        transport,
        buildRequest("UploadLibraryFile", "/api/libraryfiles", { body: form, signal: options.signal }),
      );
    },
    delete: (fileName, options = {}) => {
      requireText(fileName, "fileName");
      return sendVoid(transport, buildRequest("DeleteLibraryFile", path`/api/libraryfiles/${fileName}`, options));
    },
  };
}
