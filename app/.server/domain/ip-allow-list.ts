import ipaddr from "ipaddr.js";

/**
 * A token's optional IP allow list: addresses and CIDR ranges ("203.0.113.7", "10.0.0.0/8",
 * "2001:db8::/32"). An IPv4 address seen as IPv6 (::ffff:1.2.3.4) counts as the IPv4 address.
 */
export function parseAllowList(entries: string[]): { ranges: string[] } | { invalid: string } {
  const out: string[] = [];
  for (const raw of entries.map((e) => e.trim()).filter(Boolean)) {
    try {
      const [addr, bits] = raw.includes("/") ? ipaddr.parseCIDR(raw) : [ipaddr.parse(raw), undefined];
      const full = bits ?? (addr.kind() === "ipv4" ? 32 : 128);
      out.push(`${addr.toString()}/${full}`);
    } catch {
      return { invalid: raw };
    }
  }
  return { ranges: out };
}

export function ipAllowed(ranges: string[] | null, ip: string): boolean {
  if (!ranges || ranges.length === 0) return true;
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    addr = ipaddr.process(ip);
  } catch {
    return false;
  }
  return ranges.some((r) => {
    const [net, bits] = ipaddr.parseCIDR(r);
    return net.kind() === addr.kind() && addr.match([net, bits] as never);
  });
}
