import { deleteLibraryFile, listLibraryFiles, type LibraryFileEntity, putLibraryFile } from "../data/library-store.js";
import { MdeApiError, resourceNotFound } from "./errors.js";
import { collectionResponse, entityResponse, operation, type OperationContext, type OperationSpec } from "./operation-context.js";

/**
 * The live response library (mde-api.md §5.18; list-library-files.md,
 * upload-library.md, delete-library.md): 100/min, 1,500/h.
 */

/** "File max size limitation is 20MB" (upload-library.md, Limitations). */
export const MAX_LIBRARY_FILE_BYTES = 20 * 1024 * 1024;
/** Room for the multipart framing and the small text fields around the file. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/**
 * The form fields upload-library.md names. Its table writes `File`, its curl
 * example sends `file=@…` and also `HasParameters` (DOC-CONFLICT): both
 * spellings of the file field are accepted; the text fields keep their
 * documented casing (mde-api.md §3.2).
 */
const FORM_FIELDS = ["File", "Description", "ParametersDescription", "HasParameters", "OverrideIfExists"] as const;

const tooLarge = () =>
  // The status and wording for an oversized upload are DOC-SILENT; the page only says "400 - Bad Request" for a bad body.
  new MdeApiError(400, "BadRequest", `File size exceeds the maximum allowed size of 20 MB.`);

/**
 * Reads the request body up to `limit` bytes and stops reading (cancelling
 * the stream) as soon as it is exceeded, so an oversized upload is never held
 * in memory whole.
 */
async function readBounded(request: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

function parseBoolean(value: string | undefined, field: string): boolean | undefined {
  if (value === undefined || value === "") return undefined;
  if (/^true$/i.test(value)) return true;
  if (/^false$/i.test(value)) return false;
  throw new MdeApiError(400, "InvalidRequestBody", `Request body is incorrect: '${field}' must be true or false.`);
}

/** A library file name: a bare file name, no path, no control characters. */
function checkFileName(name: string): string {
  if (name === "" || name.length > 255 || /[\\/:*?"<>|\u0000-\u001f]/.test(name) || name === "." || name === "..")
    throw new MdeApiError(400, "InvalidRequestBody", "Request body is incorrect: the uploaded file needs a plain file name.");
  return name;
}

async function readUploadForm(ctx: OperationContext): Promise<{ file: File; text: Map<string, string> }> {
  const contentType = ctx.c.req.header("content-type") ?? "";
  if (!/^multipart\/form-data\s*;/i.test(contentType))
    throw new MdeApiError(400, "InvalidRequestBody", "Request body is incorrect: expected multipart/form-data.");
  const bytes = await readBounded(ctx.c.req.raw, MAX_LIBRARY_FILE_BYTES + MULTIPART_OVERHEAD_BYTES);
  let form: FormData;
  try {
    form = await new Response(bytes, { headers: { "content-type": contentType } }).formData();
  } catch {
    throw new MdeApiError(400, "InvalidRequestBody", "Request body is incorrect: the multipart form could not be read.");
  }
  let file: File | undefined;
  const text = new Map<string, string>();
  for (const [key, value] of form.entries()) {
    if (key === "File" || key === "file") {
      if (typeof value === "string" || file) throw new MdeApiError(400, "InvalidRequestBody", "Request body is incorrect: 'File' must be one file.");
      file = value;
      continue;
    }
    const known = FORM_FIELDS.find((f) => f === key);
    if (!known) {
      const cased = FORM_FIELDS.find((f) => f.toLowerCase() === key.toLowerCase());
      throw new MdeApiError(
        400,
        "InvalidRequestBody",
        cased
          ? `Request body is incorrect: body parameters are case-sensitive; found '${key}', expected '${cased}'.`
          : `Request body is incorrect: unknown property '${key}'. Allowed: ${FORM_FIELDS.join(", ")}.`,
      );
    }
    if (typeof value !== "string") throw new MdeApiError(400, "InvalidRequestBody", `Request body is incorrect: '${key}' must be text.`);
    text.set(key, value);
  }
  if (!file) throw new MdeApiError(400, "MissingRequiredParameter", "Parameter File is missing.");
  if (file.size > MAX_LIBRARY_FILE_BYTES) throw tooLarge();
  return { file, text };
}

const entityJson = (e: LibraryFileEntity) => JSON.stringify(e);

function listFiles(ctx: OperationContext): Response {
  return collectionResponse(ctx, "LibraryFiles", listLibraryFiles(ctx.state, ctx.tenantId).map(entityJson));
}

/** Upload (upload-library.md): 200 with the entity; a taken name without OverrideIfExists is 400. */
async function uploadFile(ctx: OperationContext): Promise<Response> {
  const { file, text } = await readUploadForm(ctx);
  const fileName = checkFileName(file.name);
  const override = parseBoolean(text.get("OverrideIfExists"), "OverrideIfExists") ?? false;
  const parametersDescription = text.get("ParametersDescription") ?? null;
  const hasParameters = parseBoolean(text.get("HasParameters"), "HasParameters") ?? (parametersDescription !== null && parametersDescription !== "");
  const entity = putLibraryFile(
    ctx.state,
    ctx.tenantId,
    {
      fileName,
      content: Buffer.from(await file.arrayBuffer()),
      description: text.get("Description") ?? "",
      hasParameters,
      parametersDescription,
      createdBy: ctx.token.clientId,
      nowMs: ctx.state.clock.now(),
    },
    override,
  );
  // The code and text of this refusal are DOC-SILENT ("400 - Bad Request ... usually indicates incorrect body").
  if (entity === "exists")
    throw new MdeApiError(400, "BadRequest", `File ${fileName} already exists in the library. Set OverrideIfExists to true to replace it.`);
  return entityResponse(ctx, "LibraryFiles/$entity", entityJson(entity));
}

/** Delete (delete-library.md): 204, or 404 for a name the library does not hold. */
function deleteFile(ctx: OperationContext): Response {
  const name = ctx.params.fileName ?? "";
  if (!deleteLibraryFile(ctx.state, ctx.tenantId, name)) throw resourceNotFound("Library file", name);
  return new Response(null, { status: 204 });
}

const LIMITS = { perMinute: 100, perHour: 1500 };

export const libraryOperations: OperationSpec[] = [
  // §5.18 Live response library.
  operation("GET", "libraryfiles", "ListLibraryFiles", ["Library.Manage"], listFiles, LIMITS),
  operation("POST", "libraryfiles", "UploadLibraryFile", ["Library.Manage"], uploadFile, LIMITS),
  operation("DELETE", "libraryfiles/{fileName}", "DeleteLibraryFile", ["Library.Manage"], deleteFile, LIMITS),
];
