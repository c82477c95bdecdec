import path from "node:path";
import { data, redirect } from "react-router";
import { requirePageAdmin, type Surface } from "../auth/admin-context.ts";
import { InvalidInputError, KeyrelayError } from "../domain/errors.ts";
import type { TextEncodingName } from "../import/parse-key-file.ts";
import { importKeys, type ImportReport } from "../use-cases/import-keys.ts";
import { getPoolDetail } from "../use-cases/manage-pools.ts";
import { notFound, statusOf, type PageArgs, type PageError } from "./pool-pages.ts";
import { readForm } from "./read-form.ts";
import { claimUpload, deleteUpload, findUpload, readUpload, saveUpload, uploadHead, type UploadMeta } from "./uploads.ts";

/**
 * The import flow: upload (streamed to a temp file) → dry run of that file (preview) → the real
 * import of the same file → report; the file is deleted afterwards.
 *
 * With JavaScript the browser sends the file (or the pasted text) as the raw body of a POST to
 * `…/import/upload` (progress events, no multipart parsing, nothing buffered), then posts the
 * options with the upload's id. Without JavaScript the page is a plain form: the pasted text
 * arrives in the form itself (bounded by PASTE_FORM_LIMIT) and becomes an upload the same way.
 */

/** A form carrying pasted keys without JavaScript; larger lists go through a file upload. */
export const PASTE_FORM_LIMIT = 16 * 1024 * 1024;

export const ENCODINGS: readonly TextEncodingName[] = ["utf-8", "utf-16le", "utf-16be", "gb18030"];

/** The import form's options, as sent (and sent back for the confirmation). */
export interface ImportFormOptions {
  format: "auto" | "txt" | "csv";
  encoding: "auto" | TextEncodingName;
  codeColumn: string;
  /** Extra CSV columns kept with each key: "pin=PIN, serial=Serial" (or just "PIN"). */
  extraFields: string;
  costColumn: string;
  expiryColumn: string;
  supplier: string;
  batchNotes: string;
  cost: string;
  currency: string;
  expiresAt: string;
}

export interface UploadInfo {
  id: string;
  name: string;
  bytes: number;
  pasted: boolean;
}

export type ImportActionData =
  | { ok: false; error: PageError; upload: UploadInfo | null; options: ImportFormOptions | null }
  | { ok: true; stage: "preview"; upload: UploadInfo; options: ImportFormOptions; format: "txt" | "csv"; report: ImportReport }
  | { ok: true; stage: "done"; sourceName: string; options: ImportFormOptions; format: "txt" | "csv"; report: ImportReport };

export function importFormOptions(form: URLSearchParams, defaults: { currency?: string | null } = {}): ImportFormOptions {
  const text = (k: string) => (form.get(k) ?? "").trim();
  const format = text("format");
  const encoding = text("encoding");
  return {
    format: format === "txt" || format === "csv" ? format : "auto",
    encoding: (ENCODINGS as readonly string[]).includes(encoding) ? (encoding as TextEncodingName) : "auto",
    codeColumn: text("codeColumn"),
    extraFields: text("extraFields"),
    costColumn: text("costColumn"),
    expiryColumn: text("expiryColumn"),
    supplier: text("supplier"),
    batchNotes: text("batchNotes"),
    cost: text("cost"),
    currency: text("currency").toUpperCase() || (defaults.currency ?? ""),
    expiresAt: text("expiresAt"),
  };
}

const FIELD_NAME = /^[\p{L}\p{N}_ .-]{1,64}$/u;
const RESERVED = new Set(["code", "cost", "expiry"]);

/**
 * The CSV column map for importKeys, or undefined (every column kept, the code column found by
 * its header) when no column is named. Throws bad_map for an extra field it cannot read.
 */
export function columnMap(o: ImportFormOptions): Record<string, string> | undefined {
  const map: Record<string, string> = {};
  if (o.codeColumn) map.code = o.codeColumn;
  if (o.costColumn) map.cost = o.costColumn;
  if (o.expiryColumn) map.expiry = o.expiryColumn;
  for (const entry of o.extraFields.split(/[,\n，]/)) {
    if (!entry.trim()) continue;
    const eq = entry.indexOf("=");
    const name = (eq === -1 ? entry : entry.slice(0, eq)).trim();
    const column = (eq === -1 ? entry : entry.slice(eq + 1)).trim();
    if (!FIELD_NAME.test(name) || !column || RESERVED.has(name.toLowerCase()) || name in map) {
      throw new InvalidInputError("bad_map", "cannot read the extra field list", { field: "extraFields", params: { entry: entry.trim().slice(0, 80) } });
    }
    map[name] = column;
  }
  return Object.keys(map).length ? map : undefined;
}

/** "auto": .csv and .txt by extension; otherwise (pasted text, other names) CSV when the first line has a comma. */
async function resolveFormat(o: ImportFormOptions, meta: UploadMeta, tmpDir: string): Promise<"txt" | "csv"> {
  if (o.format !== "auto") return o.format;
  const ext = path.extname(meta.sourceName).toLowerCase();
  if (ext === ".csv") return "csv";
  if (ext === ".txt") return "txt";
  const head = await uploadHead(tmpDir, meta.id);
  const nl = head.indexOf(0x0a);
  return head.subarray(0, nl === -1 ? head.length : nl).includes(0x2c) ? "csv" : "txt";
}

function uploadInfo(m: UploadMeta): UploadInfo {
  return { id: m.id, name: m.sourceName, bytes: m.bytes, pasted: m.pasted };
}

export async function importLoader({ request, context, params }: PageArgs, surface: Surface) {
  const s = context.services;
  const admin = await requirePageAdmin(s, request, surface, "imports.run");
  let detail;
  try {
    detail = await getPoolDetail(s, admin.accountId, params.poolId ?? "");
  } catch (e) {
    if (e instanceof KeyrelayError && e.code === "pool_not_found") throw notFound();
    throw e;
  }
  const p = detail.pool;
  return {
    base: admin.base,
    csrf: admin.csrf,
    pool: {
      id: p.id,
      name: p.name,
      archived: p.archived_at !== null,
      currency: p.currency,
      // Shown as the batch cost's placeholder: what a key costs when the batch says nothing.
      defaultCost: p.default_cost_minor == null ? "" : (p.default_cost_minor / 100).toFixed(2),
      formatRegex: p.format_regex,
    },
    maxBytes: s.config.import.maxBytes,
  };
}

export async function importAction({ request, context, params }: PageArgs, surface: Surface) {
  const s = context.services;
  const admin = await requirePageAdmin(s, request, surface, "imports.run");
  const poolId = params.poolId ?? "";
  const { tmpDir, maxBytes } = s.config.import;
  const owner = { accountId: admin.accountId, poolId };
  let options: ImportFormOptions | null = null;
  let upload: UploadMeta | null = null;
  let transient: UploadMeta | null = null;
  try {
    const form = await readForm(request, PASTE_FORM_LIMIT);
    admin.checkCsrf(form.get("csrf"));
    const intent = form.get("intent");
    const uploadId = form.get("uploadId");
    if (intent === "discard") {
      if (uploadId) await findUpload(tmpDir, uploadId, owner).then((m) => deleteUpload(tmpDir, m.id), () => {});
      return redirect(`${admin.base}/pools/${poolId}`);
    }
    const pool = await getPoolDetail(s, admin.accountId, poolId);
    const o = importFormOptions(form, { currency: pool.pool.currency });
    options = o;
    if (intent === "preview" && !uploadId) {
      // Without JavaScript: the pasted text came in the form.
      const text = form.get("text") ?? "";
      upload = await saveUpload({ tmpDir, maxBytes }, Buffer.from(text, "utf8"), { ...owner, sourceName: "", pasted: true });
      // A plain form never sends an upload id back: if this preview fails, nothing can reuse it.
      transient = upload;
    } else {
      upload = await findUpload(tmpDir, uploadId, owner);
    }
    const map = columnMap(options);
    const format = await resolveFormat(options, upload, tmpDir);
    const run = (file: UploadMeta, dryRun: boolean) =>
      importKeys(s, {
        accountId: admin.accountId,
        poolId,
        source: readUpload(tmpDir, file.id),
        sourceName: file.sourceName || undefined,
        format,
        encoding: o.encoding === "auto" ? undefined : o.encoding,
        map: format === "csv" ? map : undefined,
        dryRun,
        batch: dryRun
          ? undefined
          : { supplier: o.supplier || undefined, notes: o.batchNotes || undefined, cost: o.cost, currency: o.currency || undefined, expiresAt: o.expiresAt },
        maxBytes,
        actor: admin.actor,
      });
    if (intent === "preview") {
      // The batch's cost and expiry are checked now, not after the admin said "Import".
      validateBatch(options);
      const report = await run(upload, true);
      return data<ImportActionData>({ ok: true, stage: "preview", upload: uploadInfo(upload), options, format, report });
    }
    if (intent === "import") {
      await claimUpload(tmpDir, upload.id);
      const claimed = upload;
      upload = null; // gone whatever happens next
      try {
        const report = await run(claimed, false);
        return data<ImportActionData>({ ok: true, stage: "done", sourceName: claimed.sourceName, options, format, report });
      } finally {
        await deleteUpload(tmpDir, claimed.id);
      }
    }
    throw new InvalidInputError("invalid_input", "unknown intent", { params: { detail: "intent" } });
  } catch (e) {
    if (transient) await deleteUpload(tmpDir, transient.id);
    if (!(e instanceof KeyrelayError) || e.kind !== "invalid_input") throw e;
    const error: PageError = { code: e.code, params: e.params, field: e instanceof InvalidInputError ? e.field : undefined };
    const kept = upload && upload !== transient ? uploadInfo(upload) : null;
    return data<ImportActionData>({ ok: false, error, upload: kept, options }, { status: statusOf(e.code) });
  }
}

/** The batch fields importKeys would refuse only when it writes: refused at the preview instead. */
function validateBatch(o: ImportFormOptions): void {
  if (o.cost && !/^\d{1,12}(\.\d{1,4})?$/.test(o.cost)) throw new InvalidInputError("pool_cost", "bad batch cost", { field: "cost" });
  if (o.currency && !/^[A-Z]{3}$/.test(o.currency)) throw new InvalidInputError("pool_currency", "bad batch currency", { field: "currency" });
  if (o.expiresAt && Number.isNaN(Date.parse(o.expiresAt))) throw new InvalidInputError("bad_expiry", "bad batch expiry", { field: "expiresAt" });
}

/**
 * POST …/import/upload: the raw request body is the file (or the pasted text); its name comes in
 * the query (`?name=…&kind=file|paste`), the CSRF token in `X-CSRF-Token`. Answers JSON:
 * `{ upload }`, or `{ error: { code, params } }` with 413 for a file over IMPORT_MAX_BYTES.
 */
export async function uploadAction({ request, context, params }: PageArgs, surface: Surface): Promise<Response> {
  const s = context.services;
  const admin = await requirePageAdmin(s, request, surface, "imports.run");
  try {
    admin.checkCsrf(request.headers.get("x-csrf-token"));
    const detail = await getPoolDetail(s, admin.accountId, params.poolId ?? "");
    if (detail.pool.archived_at) throw new InvalidInputError("pool_not_found", "archived pool", { params: { id: detail.pool.id } });
    const url = new URL(request.url);
    const declared = request.headers.get("content-length");
    const meta = await saveUpload({ tmpDir: s.config.import.tmpDir, maxBytes: s.config.import.maxBytes }, request.body, {
      accountId: admin.accountId,
      poolId: detail.pool.id,
      sourceName: url.searchParams.get("name") ?? "",
      pasted: url.searchParams.get("kind") === "paste",
      declaredBytes: declared === null ? null : Number(declared),
    });
    return Response.json({ upload: uploadInfo(meta) }, { headers: { "Cache-Control": "no-store" } });
  } catch (e) {
    if (!(e instanceof KeyrelayError) || e.kind !== "invalid_input") throw e;
    return Response.json({ error: { code: e.code, params: e.params } }, { status: statusOf(e.code) });
  }
}
