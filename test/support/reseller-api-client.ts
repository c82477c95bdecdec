import { Ajv2020 } from "ajv/dist/2020.js";
import { expect } from "vitest";

export type OpenApiDoc = { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>; components: unknown };

export interface ApiCall {
  token?: string | null;
  body?: unknown;
  /** Sent as is (a malformed body); implies JSON. */
  rawBody?: string;
  key?: string;
  headers?: Record<string, string>;
}

export interface ResellerApiClient {
  /** The served OpenAPI document the answers are checked against. */
  doc: OpenApiDoc;
  /** Sends a request; every answer to a documented operation must be documented and match its schema. */
  call(method: string, path: string, opts?: ApiCall): Promise<{ status: number; body: any; headers: Headers }>;
  /** How many answers were checked against the document so far. */
  checked(): number;
}

const TEMPLATES: [RegExp, string][] = [
  [/^\/api\/v1\/orders\/[^/]+$/, "/api/v1/orders/{id}"],
  [/^\/api\/v1\/webhook-endpoints\/[^/]+$/, "/api/v1/webhook-endpoints/{id}"],
];

/** The reseller API as a client sees it, over HTTP at `baseUrl`, with each answer validated against /api/v1/openapi.json. */
export async function resellerApiClient(baseUrl: string): Promise<ResellerApiClient> {
  const doc = (await (await fetch(`${baseUrl}/api/v1/openapi.json`)).json()) as OpenApiDoc;
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
  ajv.addSchema({ $id: "doc", components: doc.components } as never);
  let checked = 0;
  return {
    doc,
    checked: () => checked,
    async call(method, path, opts = {}) {
      const headers: Record<string, string> = { ...opts.headers };
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      if (opts.key) headers["idempotency-key"] = opts.key;
      if (opts.body !== undefined || opts.rawBody !== undefined) headers["content-type"] = "application/json";
      const res = await fetch(`${baseUrl}${path}`, { method, headers, body: opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)) });
      const text = await res.text();
      const body = text ? (JSON.parse(text) as Record<string, any>) : null;
      const template = TEMPLATES.reduce((p, [re, t]) => p.replace(re, t), path.split("?")[0]);
      const op = doc.paths[template]?.[method.toLowerCase()];
      if (op && res.status !== 405) {
        const declared = op.responses[String(res.status)];
        expect(declared, `${method} ${template} ${res.status} is documented`).toBeDefined();
        const ct = (res.headers.get("content-type") ?? "").split(";")[0];
        const schema = declared!.content?.[ct]?.schema;
        expect(schema, `${method} ${template} ${res.status} ${ct} has a schema`).toBeDefined();
        const validate = ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"doc#/components/')));
        expect(validate(body), `${method} ${template} ${res.status}: ${JSON.stringify(validate.errors)}`).toBe(true);
        checked++;
      }
      return { status: res.status, body: body as any, headers: res.headers };
    },
  };
}
