import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createAgate, type Agate } from '../../../src/core/agate';
import { loadConfig } from '../../../src/core/config/load';
import { silentLogger } from '../../../src/core/ports';
import { UnsafeListenError } from '../../../src/core/security';
import { JsonFileStore } from '../../../src/core/stores/json-file-store';
import { MemorySecretStore } from '../../helpers/stack';

describe('security: listening beyond loopback', () => {
  let dataDir: string;
  let agate: Agate | undefined;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agate-lan-'));
  });
  afterEach(async () => {
    await agate?.close();
    agate = undefined;
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function gatewayWith(flags: Record<string, string>): Promise<Agate> {
    const config = loadConfig({ env: {}, flags: { dataDir, port: '0', ...flags } });
    agate = await createAgate({
      config: () => config,
      secrets: new MemorySecretStore(),
      documents: new JsonFileStore(dataDir),
      logger: silentLogger,
      version: 'test',
    });
    return agate;
  }

  it('refuses 0.0.0.0 while allowLanAccess is false, saying why', async () => {
    const gateway = await gatewayWith({ host: '0.0.0.0' });
    await assert.rejects(gateway.start(), (err: Error) => err instanceof UnsafeListenError && /allowLanAccess is false/.test(err.message));
    assert.equal(gateway.server, undefined);
  });

  it('refuses the LAN without auth even when LAN access is allowed', async () => {
    const gateway = await gatewayWith({ host: '0.0.0.0', allowLanAccess: 'true', authMode: 'off' });
    await assert.rejects(gateway.start(), (err: Error) => err instanceof UnsafeListenError && /authMode "off"/.test(err.message));
  });

  it('listens on the LAN with LAN access and auth, and then asks every client for a key', async () => {
    const gateway = await gatewayWith({ host: '0.0.0.0', allowLanAccess: 'true' });
    const server = await gateway.start();
    assert.equal(server.host, '0.0.0.0');
    assert.equal((await fetch(`${server.url}/v1/models`)).status, 401);
    const key = await gateway.security.primaryKey();
    assert.equal((await fetch(`${server.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).status, 200);
  });

  it('keeps the loopback default open without a key', async () => {
    const server = await (await gatewayWith({})).start();
    assert.equal((await fetch(`${server.url}/v1/models`)).status, 200);
  });
});
