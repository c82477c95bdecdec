/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), for tests: every line
 * is a # HELP, a # TYPE or a sample of a declared family; names and label names are valid; label
 * values are properly escaped; values are numbers; histogram buckets are cumulative and end in
 * +Inf equal to _count. Anything else throws with the line number.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: string;
  help: string;
  samples: Sample[];
}

export interface Exposition {
  families: Map<string, Family>;
  /** The value of the one sample with exactly these labels (order-free), or undefined. */
  value(name: string, labels?: Record<string, string>): number | undefined;
  /** Every label value of every sample. */
  labelValues(): string[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

export function parsePrometheusText(text: string): Exposition {
  const families = new Map<string, Family>();
  const samples: Sample[] = [];
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  lines.forEach((line, i) => {
    const fail = (why: string) => {
      throw new Error(`line ${i + 1}: ${why}: ${JSON.stringify(line)}`);
    };
    if (line.trim() === "") return;
    if (line.startsWith("#")) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!m) return; // a plain comment
      const [, kind, name, rest] = m;
      if (!NAME.test(name)) fail("bad metric name");
      const f = families.get(name) ?? { name, type: "untyped", help: "", samples: [] };
      if (kind === "TYPE") {
        if (!TYPES.has(rest)) fail("unknown type");
        if (f.samples.length) fail("TYPE after samples");
        f.type = rest;
      } else f.help = rest;
      families.set(name, f);
      return;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( -?\d+)?$/.exec(line);
    if (!m) return fail("not a sample");
    const [, name, , labelText, valueText] = m;
    const labels = parseLabels(labelText ?? "", fail);
    // As Prometheus reads it (Go's ParseFloat): NaN and Inf in any case.
    const special = /^([+-]?)(inf|nan)$/i.exec(valueText);
    const value = special ? (special[2].toLowerCase() === "nan" ? NaN : special[1] === "-" ? -Infinity : Infinity) : Number(valueText);
    if (!special && (valueText.trim() === "" || Number.isNaN(value))) fail("value is not a number");
    const family = families.get(name) ?? families.get(name.replace(/_(bucket|sum|count|created)$/, ""));
    if (!family) return fail("sample of an undeclared family");
    if (family.name !== name && family.type !== "histogram" && family.type !== "summary") fail("suffix on a non-histogram");
    const sample = { name, labels, value };
    family.samples.push(sample);
    samples.push(sample);
  });
  for (const f of families.values()) if (f.type === "histogram") checkHistogram(f);

  const same = (a: Record<string, string>, b: Record<string, string>) => Object.keys(a).length === Object.keys(b).length && Object.entries(b).every(([k, v]) => a[k] === v);
  return {
    families,
    value(name, labels = {}) {
      const found = samples.filter((s) => s.name === name && same(s.labels, labels));
      if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches ${found.length} samples`);
      return found[0]?.value;
    },
    labelValues: () => samples.flatMap((s) => Object.values(s.labels)),
  };
}

function parseLabels(text: string, fail: (why: string) => never): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest.length) {
    const m = /^([^=]+)="((?:[^"\\]|\\["\\n])*)"(,|$)/.exec(rest);
    if (!m) fail("bad label set");
    const [whole, name, raw] = m;
    if (!LABEL.test(name)) fail(`bad label name ${name}`);
    if (name in labels) fail(`label ${name} twice`);
    labels[name] = raw.replace(/\\(["\\n])/g, (_, c: string) => (c === "n" ? "\n" : c));
    rest = rest.slice(whole.length);
  }
  return labels;
}

function checkHistogram(f: Family): void {
  const series = new Map<string, { buckets: { le: number; v: number }[]; count?: number }>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const entry = series.get(key) ?? { buckets: [] };
    if (s.name.endsWith("_bucket")) {
      if (le === undefined) throw new Error(`${f.name}: bucket without le`);
      entry.buckets.push({ le: le === "+Inf" ? Infinity : Number(le), v: s.value });
    } else if (s.name.endsWith("_count")) entry.count = s.value;
    series.set(key, entry);
  }
  for (const [key, { buckets, count }] of series) {
    const sorted = [...buckets].sort((a, b) => a.le - b.le);
    sorted.forEach((b, i) => {
      if (i > 0 && b.v < sorted[i - 1].v) throw new Error(`${f.name} ${key}: buckets are not cumulative`);
    });
    if (sorted.at(-1)?.le !== Infinity) throw new Error(`${f.name} ${key}: no +Inf bucket`);
    if (sorted.at(-1)!.v !== count) throw new Error(`${f.name} ${key}: +Inf bucket ${sorted.at(-1)!.v} ≠ count ${count}`);
  }
}
