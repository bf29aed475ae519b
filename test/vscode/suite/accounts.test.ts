// Accounts from the editor: where their secrets go (SecretStorage only), importing a file, and the Manage
// Accounts actions driven by their arguments.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { refreshTokenKey, type AccountView, type ImportReport } from '../../../src/core/accounts';
import { ADA, agateFixture, type Fixture } from './support/fixture';

const GRACE: import('../../../src/simulator').AccountSpec = {
  email: 'grace@example.com',
  refreshToken: '1//vscode-test-refresh-grace-9876543210',
  tier: 'free-tier',
  quota: { 'claude-sonnet-4-6': 0.5 },
};

/** Every file under `dir` whose bytes contain `needle`. */
function filesContaining(dir: string, needle: string): string[] {
  const hits: string[] = [];
  for (const entry of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const file = path.join(dir, entry);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      continue; // removed while listing (logs rotate, storage flushes)
    }
    if (stat.isFile() && stat.size < 50 * 1024 * 1024 && fs.readFileSync(file).includes(needle)) hits.push(file);
  }
  return hits;
}

describe('accounts', () => {
  let fixture: Fixture;
  let ada: AccountView;
  before(async () => {
    fixture = await agateFixture();
    fixture.sim.addAccount(GRACE);
    ada = (await vscode.commands.executeCommand<AccountView>('agate.addAccountRefreshToken', ADA.refreshToken))!;
  });

  it('keeps refresh tokens in SecretStorage and nowhere in settings, global state or storage files', async () => {
    assert.equal(await fixture.testing.readSecret(refreshTokenKey(ada.id)), ADA.refreshToken);
    // Global state, settings.json, the extension's storage folder (account metadata, stats) and the logs all
    // live under the user-data folder, three levels above the extension's global storage.
    const userData = path.resolve(fixture.testing.globalStorageDir, '../../..');
    assert.ok(fs.existsSync(path.join(userData, 'User', 'settings.json')), `${userData} is not the user-data folder`);
    assert.deepEqual(filesContaining(userData, ADA.refreshToken), []);
    const inspected = JSON.stringify(vscode.workspace.getConfiguration('agate'));
    assert.ok(!inspected.includes(ADA.refreshToken));
  });

  it('imports accounts from a JSON file', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'agate-import-')), 'accounts.json');
    fs.writeFileSync(file, JSON.stringify([{ email: GRACE.email, refresh_token: GRACE.refreshToken }]));
    const report = await vscode.commands.executeCommand<ImportReport>('agate.importAccounts', vscode.Uri.file(file));
    assert.deepEqual(report?.failed, []);
    assert.deepEqual(
      report?.added.map((account) => account.email),
      [GRACE.email],
    );
    const grace = report!.added[0];
    assert.equal(await fixture.testing.readSecret(refreshTokenKey(grace.id)), GRACE.refreshToken);
  });

  it('disables, enables, reorders and removes an account through Manage Accounts', async () => {
    const manage = (action: string) => vscode.commands.executeCommand<AccountView>('agate.manageAccounts', { account: GRACE.email, action });
    assert.equal((await manage('disable'))?.state, 'disabled');
    assert.equal((await manage('enable'))?.state, 'active');
    const { pool } = await fixture.testing.gateway.core();
    assert.deepEqual(
      pool.list().map((account) => account.email),
      [ADA.email, GRACE.email],
    );
    await manage('moveUp');
    assert.deepEqual(
      pool.list().map((account) => account.email),
      [GRACE.email, ADA.email],
    );
    const removed = await manage('remove');
    assert.deepEqual(
      pool.list().map((account) => account.email),
      [ADA.email],
    );
    assert.equal(await fixture.testing.readSecret(refreshTokenKey(removed!.id)), undefined);
  });
});
