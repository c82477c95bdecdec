import { InvalidInputError } from "../domain/errors.ts";

export const WEBHOOK_BODY_LIMIT = 2 * 1024 * 1024;

/** Reads the raw bytes of a body, refusing more than `limit` without buffering the excess. */
export async function readRawBody(request: Request, limit: number): Promise<Buffer> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > limit) throw new InvalidInputError("body_too_large", `body over ${limit} bytes`, { params: { limit } });
  if (!request.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new InvalidInputError("body_too_large", `body over ${limit} bytes`, { params: { limit } });
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}
