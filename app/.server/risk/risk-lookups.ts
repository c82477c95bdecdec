import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Reader, type CountryResponse } from "maxmind";
import { isStrictIp, normaliseIp } from "../domain/risk-condition.ts";

/**
 * Offline lookups the risk rules read (issue 13), both from npm packages — no network, ever:
 * - IP → country from the geo-whois-asn-country mmdb (@ip-location-db, CC0), read with `maxmind`;
 * - disposable email domains from `disposable-email-domains` (its list, plus its wildcard list
 *   whose every subdomain is disposable).
 * Each is loaded once, on first use (the mmdb is ~8 MB), and kept for the process.
 */
export interface RiskLookups {
  /** ISO 3166-1 alpha-2, or null for a private, reserved or unknown address. */
  ipCountry(ip: string | null): string | null;
  isDisposableDomain(domain: string | null): boolean;
}

const require = createRequire(import.meta.url);

interface GeoWhoisRecord {
  country_code?: string;
}

let reader: Reader<GeoWhoisRecord & Partial<CountryResponse>> | undefined;
let disposable: Set<string> | undefined;
let wildcard: Set<string> | undefined;

function geoReader(): Reader<GeoWhoisRecord & Partial<CountryResponse>> {
  if (!reader) {
    const dir = require.resolve("@ip-location-db/geo-whois-asn-country-mmdb/package.json").replace(/package\.json$/, "");
    reader = new Reader(readFileSync(`${dir}geo-whois-asn-country.mmdb`));
  }
  return reader;
}

function disposableSets(): { exact: Set<string>; wild: Set<string> } {
  disposable ??= new Set(require("disposable-email-domains/index.json") as string[]);
  wildcard ??= new Set(require("disposable-email-domains/wildcard.json") as string[]);
  return { exact: disposable, wild: wildcard };
}

export const riskLookups: RiskLookups = {
  ipCountry(ip) {
    if (!ip || !isStrictIp(ip)) return null;
    const r = geoReader().get(normaliseIp(ip));
    const code = r?.country_code ?? r?.country?.iso_code ?? null;
    return code && /^[A-Z]{2}$/.test(code) ? code : null;
  },
  isDisposableDomain(domain) {
    const d = domain?.trim().toLowerCase().replace(/\.$/, "");
    if (!d) return false;
    const { exact, wild } = disposableSets();
    if (exact.has(d)) return true;
    // sub.example.tld is disposable when example.tld is on the wildcard list.
    for (let i = d.indexOf("."); i >= 0; i = d.indexOf(".", i + 1)) if (wild.has(d.slice(i + 1))) return true;
    return wild.has(d);
  },
};
