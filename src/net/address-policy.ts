import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { GatewayError } from '../domain/gateway-error.ts';

/** Decides which hosts and addresses outbound requests (image URLs, webhooks) may reach. */
export type AddressPolicy = {
  /** True when the hostname matches an allowlisted name (exact or `*.` wildcard), case-insensitively. */
  isHostAllowlisted(hostname: string): boolean;
  /** True when the address is allowlisted by IP/CIDR, or is public unicast. */
  isAddressAllowed(ip: string): boolean;
};

type ParsedAddress = ipaddr.IPv4 | ipaddr.IPv6;
type Range = [ParsedAddress, number];

/**
 * Explicit deny list, checked in addition to ipaddr.js `range()`, so that the policy does not depend on
 * how a given ipaddr.js version classifies these blocks.
 */
const deniedIpv4Ranges: readonly Range[] = [
  '0.0.0.0/8', // "this network" / unspecified
  '10.0.0.0/8',
  '100.64.0.0/10', // carrier-grade NAT
  '127.0.0.0/8',
  '169.254.0.0/16', // link-local, includes 169.254.169.254 cloud metadata
  '172.16.0.0/12',
  '192.0.0.0/24', // IETF protocol assignments
  '192.0.2.0/24', // TEST-NET-1
  '192.88.99.0/24', // 6to4 relay anycast
  '192.168.0.0/16',
  '198.18.0.0/15', // benchmarking
  '198.51.100.0/24', // TEST-NET-2
  '203.0.113.0/24', // TEST-NET-3
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved, includes 255.255.255.255 broadcast
].map(parseRange);

const deniedIpv6Ranges: readonly Range[] = [
  '::/128',
  '::1/128',
  '::/96', // deprecated IPv4-compatible addresses (::a.b.c.d)
  '100::/64', // discard
  '2001::/32', // Teredo: tunnels to an embedded IPv4 address
  '2001:db8::/32', // documentation
  '2002::/16', // 6to4: tunnels to an embedded IPv4 address
  '3fff::/20', // documentation
  'fc00::/7', // unique local
  'fe80::/10', // link-local
  'fec0::/10', // deprecated site-local
  'ff00::/8', // multicast
].map(parseRange);

/** Only 2000::/3 is allocated for global unicast; everything else in IPv6 is special-purpose. */
const globalUnicastIpv6 = parseRange('2000::/3');
/** RFC 6052 well-known NAT64 prefix: the last 32 bits are an IPv4 address that gets reached. */
const nat64WellKnown = parseRange('64:ff9b::/96');

function parseRange(cidr: string): Range {
  return ipaddr.parseCIDR(cidr);
}

/**
 * Parses only canonical IP literals. `net.isIP` rejects the decimal/octal/hex/short IPv4 forms that
 * `ipaddr.parse` would otherwise accept, so "0x7f.1" is never silently read as 127.0.0.1.
 */
function parseStrictAddress(value: string): ParsedAddress | undefined {
  const unbracketed = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
  if (isIP(unbracketed) === 0) return undefined;
  try {
    return ipaddr.parse(unbracketed);
  } catch {
    return undefined;
  }
}

/** An IPv4-mapped IPv6 address (::ffff:a.b.c.d) reaches the IPv4 host, so judge that host. */
function unmap(address: ParsedAddress): ParsedAddress {
  if (address instanceof ipaddr.IPv6 && address.isIPv4MappedAddress()) return address.toIPv4Address();
  return address;
}

function matchesRange(address: ParsedAddress, range: Range): boolean {
  const [network, prefixLength] = range;
  if (address.kind() !== network.kind()) return false;
  return address.match(network, prefixLength);
}

function isPublicIpv4(address: ipaddr.IPv4): boolean {
  if (address.range() !== 'unicast') return false;
  return !deniedIpv4Ranges.some((range) => matchesRange(address, range));
}

function isPublicIpv6(address: ipaddr.IPv6): boolean {
  if (matchesRange(address, nat64WellKnown)) {
    // DNS64 networks hand out 64:ff9b::/96 for public IPv4 hosts; judge the embedded address.
    const bytes = address.toByteArray().slice(12);
    return isPublicIpv4(new ipaddr.IPv4(bytes));
  }
  if (address.range() !== 'unicast') return false;
  if (!matchesRange(address, globalUnicastIpv6)) return false;
  return !deniedIpv6Ranges.some((range) => matchesRange(address, range));
}

/** True when the address is public unicast (not private, loopback, link-local, reserved, ...). */
export function isPublicAddress(ip: string): boolean {
  const parsed = parseStrictAddress(ip);
  if (parsed === undefined) return false;
  const address = unmap(parsed);
  return address instanceof ipaddr.IPv4 ? isPublicIpv4(address) : isPublicIpv6(address);
}

/** Lower-cases and drops one trailing dot, so `Example.COM.` and `example.com` compare equal. */
function normalizeHostname(hostname: string): string {
  const lower = hostname.trim().toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

function invalidEntry(entry: string, reason: string): GatewayError {
  return new GatewayError('invalid_request', `DARKROOM_FETCH_ALLOWLIST: invalid entry "${entry}": ${reason}`, {
    field: 'DARKROOM_FETCH_ALLOWLIST',
  });
}

/** Normalises an allowlisted name the same way URL parsing normalises hostnames (IDN → punycode, case). */
function canonicalHostname(entry: string, name: string): string {
  let url: URL;
  try {
    url = new URL(`http://${name}/`);
  } catch {
    throw invalidEntry(entry, 'not a hostname, IP address or CIDR');
  }
  if (url.port !== '' || url.username !== '' || url.password !== '' || url.pathname !== '/' || url.search !== '') {
    throw invalidEntry(entry, 'expected a bare hostname without port or path');
  }
  return normalizeHostname(url.hostname);
}

/**
 * Builds the policy from allowlist entries: hostnames (`images.internal`, `*.corp.example`), IP literals
 * (`10.0.0.5`, `::1`) or CIDRs (`10.0.0.0/8`, `fd00::/8`). Invalid entries throw, so misconfiguration
 * is reported at startup instead of silently allowing or blocking.
 */
export function createAddressPolicy(allowlist: string[]): AddressPolicy {
  const exactHosts = new Set<string>();
  const wildcardSuffixes: string[] = [];
  const allowedRanges: Range[] = [];

  for (const rawEntry of allowlist) {
    const entry = rawEntry.trim();
    if (entry === '') continue;

    if (entry.includes('/')) {
      const slash = entry.lastIndexOf('/');
      const network = parseStrictAddress(entry.slice(0, slash));
      const prefixText = entry.slice(slash + 1);
      if (network === undefined || !/^\d{1,3}$/.test(prefixText)) throw invalidEntry(entry, 'not a valid CIDR');
      const prefixLength = Number(prefixText);
      if (prefixLength > (network.kind() === 'ipv4' ? 32 : 128)) throw invalidEntry(entry, 'prefix length out of range');
      allowedRanges.push([network, prefixLength]);
      continue;
    }

    const address = parseStrictAddress(entry);
    if (address !== undefined) {
      allowedRanges.push([address, address.kind() === 'ipv4' ? 32 : 128]);
      continue;
    }

    if (entry.startsWith('*.')) {
      wildcardSuffixes.push(`.${canonicalHostname(entry, entry.slice(2))}`);
      continue;
    }

    const hostname = canonicalHostname(entry, entry);
    // A name like "0x7f.1" normalises to an IP literal; treat it as that address, not as a name.
    const normalisedAddress = parseStrictAddress(hostname);
    if (normalisedAddress !== undefined) {
      allowedRanges.push([normalisedAddress, normalisedAddress.kind() === 'ipv4' ? 32 : 128]);
    } else {
      exactHosts.add(hostname);
    }
  }

  function isHostAllowlisted(hostname: string): boolean {
    const normalised = normalizeHostname(hostname);
    if (normalised === '') return false;
    if (exactHosts.has(normalised)) return true;
    return wildcardSuffixes.some((suffix) => normalised.endsWith(suffix) && normalised.length > suffix.length);
  }

  function isAddressAllowlisted(address: ParsedAddress): boolean {
    // Check both the literal form and, for ::ffff:a.b.c.d, the IPv4 host it really reaches.
    const candidates = [address, unmap(address)];
    return candidates.some((candidate) => allowedRanges.some((range) => matchesRange(candidate, range)));
  }

  function isAddressAllowed(ip: string): boolean {
    const parsed = parseStrictAddress(ip);
    if (parsed === undefined) return false;
    if (isAddressAllowlisted(parsed)) return true;
    return isPublicAddress(ip);
  }

  return { isHostAllowlisted, isAddressAllowed };
}
