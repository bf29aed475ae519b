import assert from 'node:assert/strict';
import { ClientKeys, modelAllowed } from '../../../src/core/security/client-keys';
import { constantTimeEquals } from '../../../src/core/security/key-material';
import { PrimaryKey, PRIMARY_KEY_SECRET } from '../../../src/core/security/primary-key';
import { MemorySecretStore } from '../../helpers/stack';
import { ManualClock, MemoryDocuments } from './memory-documents';

describe('security: keys at rest', () => {
  describe('client keys', () => {
    it('are stored as salted hashes: the document never holds a key or its secret part', async () => {
      const documents = new MemoryDocuments();
      const keys = new ClientKeys(documents, new ManualClock());
      const a = await keys.create({ name: 'a' });
      const b = await keys.create({ name: 'b' });
      const text = [...documents.texts.values()].join('\n');
      for (const { key } of [a, b]) {
        assert.ok(!text.includes(key.slice(key.indexOf('_') + 1)), 'secret part found in the document');
      }
      const stored = JSON.parse(documents.texts.get('client-keys')!).keys as Array<{ salt: string; hash: string }>;
      assert.notEqual(stored[0].salt, stored[1].salt);
      assert.match(stored[0].hash, /^[0-9a-f]{64}$/);
    });

    it('verify the exact key only', async () => {
      const keys = new ClientKeys(new MemoryDocuments(), new ManualClock());
      const { id, key } = await keys.create({ name: 'a' });
      assert.equal((await keys.verify(key))?.id, id);
      const flipped = key.slice(0, -1) + (key.endsWith('0') ? '1' : '0');
      assert.equal(await keys.verify(flipped), undefined);
      assert.equal(await keys.verify(key + '0'), undefined);
      assert.equal(await keys.verify(`sk-agate-${'0'.repeat(16)}_${key.slice(-48)}`), undefined);
      assert.equal(await keys.verify(''), undefined);
    });

    it('made by another process (the CLI) are seen after a short while, revocations too', async () => {
      const documents = new MemoryDocuments();
      const clock = new ManualClock();
      const gateway = new ClientKeys(documents, clock);
      const cli = new ClientKeys(documents, clock);
      assert.deepEqual(await gateway.list(), []);
      const { id, key } = await cli.create({ name: 'from-cli' });
      clock.advance(2_500);
      assert.equal((await gateway.verify(key))?.name, 'from-cli');
      await cli.revoke(id);
      clock.advance(2_500);
      assert.equal(await gateway.verify(key), undefined);
    });

    it('keep name, models and limits through a rotation', async () => {
      const clock = new ManualClock();
      const keys = new ClientKeys(new MemoryDocuments(), clock);
      const { id, key } = await keys.create({ name: 'a', allowedModels: ['gemini-*'], limits: { requestsPerDay: 5 } });
      clock.advance(1000);
      const rotated = await keys.rotate(id);
      assert.equal(await keys.verify(key), undefined);
      const info = await keys.verify(rotated.key);
      assert.deepEqual([info?.name, info?.allowedModels, info?.limits, info?.rotatedAt], ['a', ['gemini-*'], { requestsPerDay: 5 }, clock.now()]);
    });

    it('allow models by exact id or by a trailing-* prefix', () => {
      assert.equal(modelAllowed({}, 'anything'), true);
      const key = { allowedModels: ['gemini-3*', 'claude-sonnet-4-6'] };
      assert.equal(modelAllowed(key, 'gemini-3-flash'), true);
      assert.equal(modelAllowed(key, 'claude-sonnet-4-6'), true);
      assert.equal(modelAllowed(key, 'claude-sonnet-4-6-thinking'), false);
      assert.equal(modelAllowed(key, 'gemini-2.5-pro'), false);
    });

    it('reject unknown ids on change', async () => {
      const keys = new ClientKeys(new MemoryDocuments(), new ManualClock());
      await assert.rejects(keys.revoke('nope'), /No client key/);
      await assert.rejects(keys.rotate('nope'), /No client key/);
    });
  });

  describe('the primary key', () => {
    it('is created on first use, kept in the secret store, and the same afterwards', async () => {
      const secrets = new MemorySecretStore();
      const first = new PrimaryKey(secrets);
      const [a, b] = await Promise.all([first.get(), first.get()]);
      assert.equal(a, b);
      assert.match(a, /^sk-agate-[0-9a-f]{48}$/);
      assert.equal(secrets.values.get(PRIMARY_KEY_SECRET), a);
      assert.equal(await new PrimaryKey(secrets).get(), a, 'a restart finds the same key');
    });

    it('rotates to a new stored value', async () => {
      const secrets = new MemorySecretStore();
      const primary = new PrimaryKey(secrets);
      const old = await primary.get();
      const rotated = await primary.rotate();
      assert.notEqual(rotated, old);
      assert.equal(await primary.get(), rotated);
      assert.equal(secrets.values.get(PRIMARY_KEY_SECRET), rotated);
    });
  });

  it('compares in constant time whatever the lengths', () => {
    assert.equal(constantTimeEquals('sk-agate-abc', 'sk-agate-abc'), true);
    assert.equal(constantTimeEquals('sk-agate-abc', 'sk-agate-abd'), false);
    assert.equal(constantTimeEquals('short', 'a much longer value'), false);
  });
});
