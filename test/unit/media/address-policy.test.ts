import assert from 'node:assert/strict';
import { forbiddenAddressReason } from '../../../src/core/media/address-policy';

describe('media: which addresses may be fetched from', () => {
  const refused: Array<[string, RegExp]> = [
    ['127.0.0.1', /loopback/],
    ['127.255.0.9', /loopback/],
    ['10.1.2.3', /private/],
    ['172.16.0.1', /private/],
    ['172.31.255.255', /private/],
    ['192.168.1.1', /private/],
    ['169.254.169.254', /link-local/],
    ['100.64.0.1', /carrier-grade NAT/],
    ['0.0.0.0', /unspecified/],
    ['224.0.0.1', /multicast/],
    ['255.255.255.255', /reserved/],
    ['198.18.0.1', /benchmarking/],
    ['::1', /loopback/],
    ['::', /unspecified/],
    ['fe80::1', /link-local/],
    ['fe80::1%eth0', /link-local/],
    ['fc00::1', /unique-local/],
    ['fd12:3456::1', /unique-local/],
    ['ff02::1', /multicast/],
    ['::ffff:127.0.0.1', /loopback \(embedded IPv4\)/],
    ['::ffff:a9fe:a9fe', /link-local/],
    ['::ffff:10.0.0.1', /private/],
    ['64:ff9b::7f00:1', /loopback/],
    ['2002:c0a8:0101::1', /private/],
    ['::127.0.0.1', /IPv4-compatible/],
    ['2001:0:4136:e378::1', /Teredo/],
    ['localhost', /not an IP/],
  ];
  for (const [address, reason] of refused) {
    it(`refuses ${address}`, () => assert.match(forbiddenAddressReason(address) ?? 'allowed', reason));
  }

  for (const address of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '2a00:1450:4001::200e']) {
    it(`allows ${address}`, () => assert.equal(forbiddenAddressReason(address), undefined));
  }
});
