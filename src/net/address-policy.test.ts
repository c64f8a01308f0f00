import { describe, it, expect } from 'vitest';
import { GatewayError } from '../domain/gateway-error.ts';
import { createAddressPolicy, isPublicAddress } from './address-policy.ts';

const blockedAddresses: Array<[string, string]> = [
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', '"this network" 0/8'],
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback /8'],
  ['10.0.0.1', 'RFC1918 10/8'],
  ['172.16.0.1', 'RFC1918 172.16/12'],
  ['172.31.255.255', 'RFC1918 172.16/12 upper edge'],
  ['192.168.1.1', 'RFC1918 192.168/16'],
  ['100.64.0.1', 'CGNAT'],
  ['100.127.255.254', 'CGNAT upper edge'],
  ['169.254.169.254', 'cloud metadata (link-local)'],
  ['169.254.0.1', 'link-local'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast SSDP'],
  ['255.255.255.255', 'broadcast'],
  ['240.0.0.1', 'reserved 240/4'],
  ['192.0.0.8', 'IETF 192.0.0.0/24'],
  ['198.18.0.1', 'benchmarking 198.18/15'],
  ['198.19.255.1', 'benchmarking upper half'],
  ['192.0.2.10', 'TEST-NET-1'],
  ['198.51.100.7', 'TEST-NET-2'],
  ['203.0.113.9', 'TEST-NET-3'],
  ['::', 'IPv6 unspecified'],
  ['::1', 'IPv6 loopback'],
  ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
  ['::ffff:7f00:1', 'IPv4-mapped loopback, hex form'],
  ['::ffff:169.254.169.254', 'IPv4-mapped metadata'],
  ['::ffff:10.1.2.3', 'IPv4-mapped RFC1918'],
  ['::127.0.0.1', 'IPv4-compatible loopback'],
  ['fc00::1', 'unique local fc00::/7'],
  ['fd12:3456:789a::1', 'unique local fd'],
  ['fe80::1', 'link-local'],
  ['fe80::1%eth0', 'link-local with zone'],
  ['febf::1', 'link-local upper edge'],
  ['fec0::1', 'deprecated site-local'],
  ['ff02::1', 'IPv6 multicast'],
  ['2001:db8::1', 'IPv6 documentation'],
  ['64:ff9b::a00:1', 'NAT64 embedding 10.0.0.1'],
  ['64:ff9b::7f00:1', 'NAT64 embedding 127.0.0.1'],
  ['64:ff9b:1::1', 'local-use NAT64'],
  ['2002:7f00:1::1', '6to4 embedding 127.0.0.1'],
  ['2002:a00:1::1', '6to4 embedding 10.0.0.1'],
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo'],
  ['100::1', 'IPv6 discard'],
  ['4000::1', 'outside 2000::/3'],
];

const malformedAddresses = ['0x7f000001', '2130706433', '0177.0.0.1', '127.1', '0x7f.1', 'localhost', '', '1.2.3.4.5', '[::1', 'example.com'];

const publicAddresses = ['8.8.8.8', '93.184.216.34', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '2a00:1450:4001::1', '::ffff:8.8.8.8', '64:ff9b::808:808'];

describe('isPublicAddress', () => {
  it.each(blockedAddresses)('blocks %s (%s)', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each(malformedAddresses)('treats the non-canonical form %j as not an address', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each(publicAddresses)('allows public unicast %s', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });
});

describe('createAddressPolicy', () => {
  it('allows only public addresses when the allowlist is empty', () => {
    const policy = createAddressPolicy([]);
    expect(policy.isAddressAllowed('8.8.8.8')).toBe(true);
    expect(policy.isAddressAllowed('127.0.0.1')).toBe(false);
    expect(policy.isAddressAllowed('[::1]')).toBe(false);
    expect(policy.isHostAllowlisted('localhost')).toBe(false);
  });

  it('allowlists exact IPv4 and IPv6 literals, including the mapped form of an IPv4 entry', () => {
    const policy = createAddressPolicy(['127.0.0.1', '::1']);
    expect(policy.isAddressAllowed('127.0.0.1')).toBe(true);
    expect(policy.isAddressAllowed('::ffff:127.0.0.1')).toBe(true);
    expect(policy.isAddressAllowed('::1')).toBe(true);
    expect(policy.isAddressAllowed('[::1]')).toBe(true);
    expect(policy.isAddressAllowed('127.0.0.2')).toBe(false);
    expect(policy.isAddressAllowed('10.0.0.1')).toBe(false);
  });

  it('allowlists IPv4 and IPv6 CIDRs', () => {
    const policy = createAddressPolicy(['10.0.0.0/8', 'fd00::/8', '192.168.1.0/24']);
    expect(policy.isAddressAllowed('10.200.3.4')).toBe(true);
    expect(policy.isAddressAllowed('fd12::1')).toBe(true);
    expect(policy.isAddressAllowed('fc00::1')).toBe(false);
    expect(policy.isAddressAllowed('192.168.1.77')).toBe(true);
    expect(policy.isAddressAllowed('192.168.2.1')).toBe(false);
    expect(policy.isAddressAllowed('169.254.169.254')).toBe(false);
  });

  it('matches hostnames exactly and case-insensitively, ignoring one trailing dot', () => {
    const policy = createAddressPolicy(['Images.Internal', 'localhost']);
    expect(policy.isHostAllowlisted('images.internal')).toBe(true);
    expect(policy.isHostAllowlisted('IMAGES.INTERNAL.')).toBe(true);
    expect(policy.isHostAllowlisted('localhost')).toBe(true);
    expect(policy.isHostAllowlisted('sub.images.internal')).toBe(false);
    expect(policy.isHostAllowlisted('images.internal.evil.test')).toBe(false);
    expect(policy.isHostAllowlisted('evilimages.internal')).toBe(false);
  });

  it('matches *. wildcards for subdomains only', () => {
    const policy = createAddressPolicy(['*.corp.example']);
    expect(policy.isHostAllowlisted('a.corp.example')).toBe(true);
    expect(policy.isHostAllowlisted('a.b.CORP.example')).toBe(true);
    expect(policy.isHostAllowlisted('corp.example')).toBe(false);
    expect(policy.isHostAllowlisted('evilcorp.example')).toBe(false);
    expect(policy.isHostAllowlisted('corp.example.evil.test')).toBe(false);
  });

  it('does not treat hostname entries as addresses or address entries as hostnames', () => {
    const policy = createAddressPolicy(['metadata.google.internal', '127.0.0.1']);
    expect(policy.isHostAllowlisted('metadata.google.internal')).toBe(true);
    expect(policy.isAddressAllowed('169.254.169.254')).toBe(false);
    expect(policy.isHostAllowlisted('127.0.0.1')).toBe(false);
  });

  it('normalises obfuscated IPv4 entries the way URLs are normalised', () => {
    const policy = createAddressPolicy(['0x7f.1']);
    expect(policy.isAddressAllowed('127.0.0.1')).toBe(true);
  });

  it('ignores blank entries and rejects malformed ones', () => {
    expect(() => createAddressPolicy(['', '  '])).not.toThrow();
    for (const entry of ['10.0.0.0/33', '::/129', 'nonsense/8', '10.0.0.0/x', 'host:8080', 'host/path', 'a b']) {
      expect(() => createAddressPolicy([entry]), entry).toThrow(GatewayError);
    }
  });
});
