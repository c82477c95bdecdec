import { readRawBody } from "./read-body.ts";

/** An admin form (a pool's fields, an action button): generous for a 20,000-character template. */
export const ADMIN_FORM_LIMIT = 1024 * 1024;

/**
 * The fields of an application/x-www-form-urlencoded post (what React Router's Form, useSubmit and
 * a plain HTML form send), refused with body_too_large (413) past `limit` bytes before parsing.
 * Never used for files: those stream to disk (uploads.ts).
 */
export async function readForm(request: Request, limit = ADMIN_FORM_LIMIT): Promise<URLSearchParams> {
  const body = await readRawBody(request, limit);
  return new URLSearchParams(body.toString("utf8"));
}

/** A checkbox field as browsers and scripts send it ("on"; also "true" / "1"). */
export function isChecked(v: string | null): boolean {
  return v === "on" || v === "true" || v === "1";
}
