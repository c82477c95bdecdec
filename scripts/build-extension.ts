import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

/**
 * Builds the checkout extension offline with esbuild, the way the Shopify CLI bundles a UI
 * extension: one ES module holding every target, each registered with `shopify.extend(target, …)`.
 * The Shopify CLI needs the network (it builds and uploads on `shopify app deploy`); this build
 * checks the same source compiles and stays under Shopify's 64 KB limit.
 *
 *   node scripts/build-extension.ts [--out DIR]     (npm run extension:build)
 */
export const SHOPIFY_BUNDLE_LIMIT = 64 * 1024;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const extensionDir = path.join(root, "extensions/key-delivery");

/** The targets and their modules, read from shopify.extension.toml. */
export function extensionTargets(dir = extensionDir): { target: string; module: string }[] {
  const toml = fs.readFileSync(path.join(dir, "shopify.extension.toml"), "utf8");
  const out: { target: string; module: string }[] = [];
  for (const block of toml.split("[[extensions.targeting]]").slice(1)) {
    const target = /^\s*target\s*=\s*"([^"]+)"/m.exec(block)?.[1];
    const module = /^\s*module\s*=\s*"([^"]+)"/m.exec(block)?.[1];
    if (target && module) out.push({ target, module });
  }
  return out;
}

export async function buildExtension(opts: { outDir?: string; dir?: string } = {}): Promise<{ file: string; bytes: number; targets: string[] }> {
  const dir = opts.dir ?? extensionDir;
  const outDir = opts.outDir ?? path.join(dir, "dist");
  const targets = extensionTargets(dir);
  if (targets.length === 0) throw new Error("no [[extensions.targeting]] in shopify.extension.toml");
  const entry = [
    ...targets.map((t, i) => `import target${i} from ${JSON.stringify(path.join(dir, t.module))};`),
    ...targets.map((t, i) => `shopify.extend(${JSON.stringify(t.target)}, (...args) => target${i}(...args));`),
  ].join("\n");
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, "key-delivery.js");
  await build({
    stdin: { contents: entry, resolveDir: dir, sourcefile: "extension-entry.js", loader: "js" },
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2020",
    minify: true,
    jsx: "automatic",
    jsxImportSource: "preact",
    tsconfig: path.join(dir, "tsconfig.json"),
    legalComments: "none",
    logLevel: "silent",
    outfile: file,
  });
  return { file, bytes: fs.statSync(file).size, targets: targets.map((t) => t.target) };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf("--out");
  const result = await buildExtension({ outDir: i > 0 ? path.resolve(process.argv[i + 1]) : undefined });
  const kb = (result.bytes / 1024).toFixed(1);
  console.log(`${path.relative(process.cwd(), result.file)}: ${kb} KB (${result.targets.join(", ")}); Shopify's limit is 64 KB`);
  if (fs.readFileSync(path.join(extensionDir, "src/backend-url.ts"), "utf8").includes("keyrelay.example")) {
    console.warn("note: src/backend-url.ts still names the placeholder server; run `SHOPIFY_APP_URL=https://… npm run extension:configure` before `shopify app deploy`");
  }
  if (result.bytes > SHOPIFY_BUNDLE_LIMIT) {
    console.error("the extension bundle is over Shopify's 64 KB limit");
    process.exit(1);
  }
}
