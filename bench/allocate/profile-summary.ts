/**
 * Where the app's time went: a V8 .cpuprofile (from --profile) summarised by self time per
 * function and per package/source area. `node bench/allocate/profile-summary.ts FILE [--top N]`
 */
import fs from "node:fs";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

function area(url: string): string {
  if (!url) return "(native/idle/gc)";
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  if (url.startsWith("node:")) return url.split("/")[0];
  const local = /\/work\/[^/]+\/[^/]+\/((?:app\/\.server\/[^/]+)|(?:[^/]+))/.exec(url);
  return local ? local[1] : url;
}

export function summarise(file: string, top = 25): string {
  const p = JSON.parse(fs.readFileSync(file, "utf8")) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const fn = new Map<string, number>();
  const pkg = new Map<string, number>();
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    const key = `${n.callFrame.functionName || "(anonymous)"} ${n.callFrame.url.replace(/^.*node_modules\//, "").replace(/^file:\/\/\/work\/[^/]+\/[^/]+\//, "")}:${n.callFrame.lineNumber + 1}`;
    fn.set(key, (fn.get(key) ?? 0) + us);
    const a = area(n.callFrame.url) || n.callFrame.functionName;
    pkg.set(n.callFrame.url ? a : `(${n.callFrame.functionName})`, (pkg.get(n.callFrame.url ? a : `(${n.callFrame.functionName})`) ?? 0) + us);
  }
  const lines = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, v]) => `${((100 * v) / total).toFixed(1).padStart(5)}%  ${(v / 1e6).toFixed(2).padStart(7)} s  ${k}`);
  return [`${file}: ${(total / 1e6).toFixed(1)} s sampled`, "self time by area:", ...lines(pkg), "", "self time by function:", ...lines(fn)].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const top = process.argv.includes("--top") ? Number(process.argv[process.argv.indexOf("--top") + 1]) : 25;
  console.log(summarise(process.argv[2], top));
}
