import { isIPv4, isIPv6 } from 'node:net';

/**
 * Which IP addresses a gateway may fetch client-named media from: public
 * unicast only. Everything that reaches the gateway's own machine, its LAN,
 * the cloud metadata service (169.254.169.254) or nobody in particular is
 * refused. IPv6 forms that embed an IPv4 address (mapped, NAT64, 6to4) are
 * judged by the embedded address.
 */

type Bytes = number[];

interface Range {
  prefix: Bytes;
  bits: number;
  reason: string;
}

const range = (address: string, bits: number, reason: string): Range => ({ prefix: ipBytes(address)!, bits, reason });

const IPV4_FORBIDDEN: Range[] = [
  range('0.0.0.0', 8, 'unspecified ("this network")'),
  range('10.0.0.0', 8, 'private'),
  range('100.64.0.0', 10, 'carrier-grade NAT'),
  range('127.0.0.0', 8, 'loopback'),
  range('169.254.0.0', 16, 'link-local (cloud metadata)'),
  range('172.16.0.0', 12, 'private'),
  range('192.0.0.0', 24, 'IETF protocol assignments'),
  range('192.0.2.0', 24, 'documentation'),
  range('192.88.99.0', 24, '6to4 relay'),
  range('192.168.0.0', 16, 'private'),
  range('198.18.0.0', 15, 'benchmarking'),
  range('198.51.100.0', 24, 'documentation'),
  range('203.0.113.0', 24, 'documentation'),
  range('224.0.0.0', 4, 'multicast'),
  range('240.0.0.0', 4, 'reserved (and broadcast)'),
];

const IPV6_FORBIDDEN: Range[] = [
  range('::', 128, 'unspecified'),
  range('::1', 128, 'loopback'),
  range('::', 96, 'IPv4-compatible (deprecated)'),
  range('64:ff9b:1::', 48, 'local-use NAT64'),
  range('100::', 64, 'discard-only'),
  // Teredo scrambles the IPv4 endpoints it embeds; nothing legitimate serves images there.
  range('2001::', 32, 'Teredo tunnel'),
  range('2001:db8::', 32, 'documentation'),
  range('fc00::', 7, 'unique-local'),
  range('fe80::', 10, 'link-local'),
  range('fec0::', 10, 'site-local'),
  range('ff00::', 8, 'multicast'),
];

/** IPv6 prefixes whose addresses carry an IPv4 address, and where it sits. */
const IPV4_CARRIERS: Array<{ prefix: Bytes; bits: number; offset: number }> = [
  { prefix: ipBytes('::ffff:0:0')!, bits: 96, offset: 12 }, // IPv4-mapped
  { prefix: ipBytes('64:ff9b::')!, bits: 96, offset: 12 }, // NAT64
  { prefix: ipBytes('2002::')!, bits: 16, offset: 2 }, // 6to4
];

/** Why `address` must not be fetched from, or undefined when it is public unicast. */
export function forbiddenAddressReason(address: string): string | undefined {
  const bytes = ipBytes(address);
  if (!bytes) return 'not an IP address';
  if (bytes.length === 4) return match(bytes, IPV4_FORBIDDEN);
  const own = match(bytes, IPV6_FORBIDDEN);
  if (own) return own;
  for (const carrier of IPV4_CARRIERS) {
    if (inPrefix(bytes, carrier.prefix, carrier.bits)) {
      const embedded = match(bytes.slice(carrier.offset, carrier.offset + 4), IPV4_FORBIDDEN);
      if (embedded) return `${embedded} (embedded IPv4)`;
    }
  }
  return undefined;
}

function match(bytes: Bytes, ranges: Range[]): string | undefined {
  return ranges.find((r) => inPrefix(bytes, r.prefix, r.bits))?.reason;
}

function inPrefix(bytes: Bytes, prefix: Bytes, bits: number): boolean {
  for (let bit = 0; bit < bits; bit++) {
    const mask = 0x80 >> (bit % 8);
    if ((bytes[bit >> 3] & mask) !== (prefix[bit >> 3] & mask)) return false;
  }
  return true;
}

/** 4 bytes for a dotted-quad IPv4 address, 16 for IPv6 (zone id ignored); undefined otherwise. */
function ipBytes(address: string): Bytes | undefined {
  if (isIPv4(address)) return address.split('.').map(Number);
  const unzoned = address.replace(/%.*$/, '');
  if (!isIPv6(unzoned)) return undefined;
  // A trailing dotted quad (::ffff:1.2.3.4) stands for the last two groups.
  const text = unzoned
    .toLowerCase()
    .replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_, a, b, c, d) => `${((+a << 8) | +b).toString(16)}:${((+c << 8) | +d).toString(16)}`);
  const [head, rest] = text.split('::') as [string, string | undefined];
  const headGroups = head ? head.split(':') : [];
  const restGroups = rest ? rest.split(':') : [];
  const zeros = rest === undefined ? 0 : 8 - headGroups.length - restGroups.length;
  const bytes: Bytes = [];
  for (const group of [...headGroups, ...Array<string>(zeros).fill('0'), ...restGroups]) {
    const value = parseInt(group, 16);
    bytes.push(value >> 8, value & 0xff);
  }
  return bytes.length === 16 ? bytes : undefined;
}
