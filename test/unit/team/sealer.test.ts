import assert from 'node:assert/strict';
import { createSealer } from '../../../src/core/team/sealer';
import { describeRedisUrl } from '../../../src/core/team/connection';

describe('team secrets', () => {
  const token = '1//refresh-token-of-ada-0123456789';

  it('seals a refresh token so that only the same team secret and prefix open it', () => {
    const sealer = createSealer('team secret', 'agate:');
    const sealed = sealer.seal(token);
    assert.ok(!sealed.includes(token) && !sealed.includes(Buffer.from(token).toString('base64')));
    assert.notEqual(sealer.seal(token), sealed, 'a fresh IV each time');
    assert.equal(sealer.open(sealed), token);
    assert.throws(() => createSealer('another secret', 'agate:').open(sealed), /did not open/);
    assert.throws(() => createSealer('team secret', 'other:').open(sealed), /did not open/);
  });

  it('refuses a value that was altered', () => {
    const sealer = createSealer('team secret', 'agate:');
    const [version, iv, tag, body] = sealer.seal(token).split('.');
    const flipped = Buffer.from(body, 'base64url');
    flipped[0] ^= 1;
    assert.throws(() => sealer.open([version, iv, tag, flipped.toString('base64url')].join('.')), /did not open/);
    assert.throws(() => sealer.open('plain text'), /not a sealed team value/);
  });

  it('needs a secret', () => {
    assert.throws(() => createSealer('', 'agate:'), /secretKey is required/);
  });

  it('describes a Redis URL without its credentials', () => {
    assert.equal(describeRedisUrl('rediss://user:p%40ss@redis.example:6380/2'), 'rediss://***@redis.example:6380/2');
    assert.equal(describeRedisUrl('redis://127.0.0.1:6379'), 'redis://127.0.0.1:6379');
  });
});
