import ipaddr from "ipaddr.js";

/**
 * The network a client's address stands for when attempts are counted. An IPv4 address is one
 * client. An IPv6 address is not: a single subscriber is handed a whole /64 (2^64 addresses) and
 * can take a new one for every request, so limits keyed on the exact address would not limit
 * anyone. IPv4-mapped IPv6 ("::ffff:203.0.113.7", how a dual-stack socket reports IPv4) is the
 * IPv4 address. Anything that does not parse is counted as itself.
 */
export function clientNetwork(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  let addr = ipaddr.parse(ip);
  if (addr.kind() === "ipv6" && (addr as ipaddr.IPv6).isIPv4MappedAddress()) addr = (addr as ipaddr.IPv6).toIPv4Address();
  if (addr.kind() === "ipv4") return addr.toString();
  const parts = (addr as ipaddr.IPv6).parts.slice(0, 4);
  return `${new ipaddr.IPv6([...parts, 0, 0, 0, 0]).toNormalizedString().split(":").slice(0, 4).join(":")}::/64`;
}
