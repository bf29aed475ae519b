import assert from 'node:assert/strict';
import { assertSafeListen, UnsafeListenError } from '../../../src/core/security/lan-policy';
import { effectiveAuthMode, isLoopbackHost } from '../../../src/core/security/network';

describe('security: where the gateway may listen, and the auth mode that follows', () => {
  it('tells loopback addresses from the rest', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST', '::ffff:127.0.0.1']) assert.equal(isLoopbackHost(host), true, host);
    for (const host of ['0.0.0.0', '::', '192.168.1.2', '10.0.0.1', 'example.com', '128.0.0.1']) assert.equal(isLoopbackHost(host), false, host);
  });

  it('auto is off on loopback and strict beyond; explicit modes stay', () => {
    assert.equal(effectiveAuthMode('auto', '127.0.0.1'), 'off');
    assert.equal(effectiveAuthMode('auto', '0.0.0.0'), 'strict');
    assert.equal(effectiveAuthMode('auto', '192.168.1.2'), 'strict');
    assert.equal(effectiveAuthMode('strict', '127.0.0.1'), 'strict');
    assert.equal(effectiveAuthMode('off', '0.0.0.0'), 'off');
  });

  it('needs LAN access and a key-asking auth mode to listen beyond loopback', () => {
    const check = (host: string, allowLanAccess: boolean, authMode: 'off' | 'auto' | 'strict' | 'all_except_health') => () =>
      assertSafeListen({ host, allowLanAccess, authMode });
    assert.doesNotThrow(check('127.0.0.1', false, 'off'));
    assert.throws(check('0.0.0.0', false, 'strict'), UnsafeListenError);
    assert.throws(check('192.168.1.2', true, 'off'), /authMode "off"/);
    assert.doesNotThrow(check('0.0.0.0', true, 'auto'));
    assert.doesNotThrow(check('::', true, 'all_except_health'));
  });
});
