// "Agate: Switch Antigravity IDE Account…" on a fixture installation (a state database built from the documented
// layout, the IDE not running): the command offers the pool's accounts with their scores, best first, and
// switches to the one picked; given an account it switches to that one; "…to the Best Account" picks by itself.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AccountView } from '../../../src/core/accounts';
import { dbPathOf } from '../../../src/core/ide/installations';
import { decodeTokenInfo, decodeTopic, entryPayload, STATE_KEYS, TOKEN_ENTRY } from '../../../src/core/ide/state-format';
import { SIM_MODELS, type AccountSpec } from '../../../src/simulator';
import type { IdeSwitchOutcome } from '../../../src/vscode/ide-commands';
import { buildStateDb, dumpRows, unifiedRows } from '../../helpers/ide-fixtures';
import { agateFixture, waitFor, type Fixture } from './support/fixture';

const claudeAt = (fraction: number) => Object.fromEntries(SIM_MODELS.filter((m) => m.id.startsWith('claude')).map((m) => [m.id, fraction]));
const HIGH: AccountSpec = { email: 'ide-high@example.com', refreshToken: '1//vscode-test-ide-high-0123456789', quota: claudeAt(0.9) };
const LOW: AccountSpec = { email: 'ide-low@example.com', refreshToken: '1//vscode-test-ide-low-0123456789', quota: claudeAt(0.3) };

async function signedIn(dbPath: string): Promise<{ email: string; refreshToken: string; expiresAt: number }> {
  const rows = await dumpRows(dbPath);
  const token = decodeTokenInfo(entryPayload(decodeTopic(rows.get(STATE_KEYS.oauthToken) as string, 'topic'), TOKEN_ENTRY, 'token') as Uint8Array);
  return {
    email: JSON.parse(rows.get(STATE_KEYS.authStatus) as string).email,
    refreshToken: token.refreshToken,
    expiresAt: (token.expirySeconds as number) * 1000,
  };
}

describe('Antigravity IDE account switch', () => {
  let fixture: Fixture;
  let userDataDir: string;
  let low: AccountView;

  before(async () => {
    fixture = await agateFixture();
    fixture.sim.addAccount(HIGH);
    fixture.sim.addAccount(LOW);
    await vscode.commands.executeCommand<AccountView>('agate.addAccountRefreshToken', HIGH.refreshToken);
    low = (await vscode.commands.executeCommand<AccountView>('agate.addAccountRefreshToken', LOW.refreshToken))!;
    userDataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'agate-ide-vscode-')), 'Antigravity IDE');
    await buildStateDb(dbPathOf(userDataDir), unifiedRows({ email: 'old@example.com' }));
  });

  // The files after this one start from the pool as it was: without the accounts added here.
  after(async () => {
    fs.rmSync(path.dirname(userDataDir), { recursive: true, force: true });
    for (const account of [HIGH, LOW]) await vscode.commands.executeCommand('agate.manageAccounts', { account: account.email, action: 'remove' });
  });

  it('lists the accounts with their scores, best first, and switches to the one picked', async () => {
    let settled = false;
    const running = vscode.commands.executeCommand<IdeSwitchOutcome>('agate.switchIdeAccount', { userDataDir, families: ['claude'] });
    void Promise.resolve(running).finally(() => (settled = true));
    // The quick pick opens once the installation and the accounts are read: accept its first (best) item.
    await waitFor(
      'the account pick to be accepted',
      async () => {
        if (!settled) await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
        return settled;
      },
      30_000,
    );
    const outcome = (await running)!;
    const high = outcome.offered.find((o) => o.email === HIGH.email);
    const lowOffered = outcome.offered.find((o) => o.email === LOW.email);
    assert.deepEqual([high?.score, high?.eligible, high?.detail], [90, true, 'Claude 90%']);
    assert.deepEqual([lowOffered?.score, lowOffered?.eligible], [30, true]);
    assert.ok(outcome.offered.indexOf(high!) < outcome.offered.indexOf(lowOffered!), 'best first');
    const scores = outcome.offered.filter((o) => o.eligible).map((o) => o.score);
    assert.deepEqual(
      scores,
      [...scores].sort((a, b) => b - a),
    );

    const picked = outcome.offered[0];
    assert.equal(outcome.switched?.email, picked.email);
    assert.equal(outcome.switched?.previousEmail, 'old@example.com');
    const now = await signedIn(dbPathOf(userDataDir));
    assert.equal(now.email, picked.email);
    assert.ok(now.refreshToken.startsWith('1//'));
    assert.ok(now.expiresAt > Date.now() + 15 * 60_000, 'a fresh access token with most of its hour left');
    assert.ok(fs.existsSync(`${dbPathOf(userDataDir)}.agate-backup`));
  });

  it('switches to a given account (the dashboard card), then to the best one by itself', async () => {
    const given = await vscode.commands.executeCommand<IdeSwitchOutcome>('agate.switchIdeAccount', { userDataDir, accountId: low.id, confirmed: true });
    assert.equal(given?.switched?.email, LOW.email);
    assert.equal((await signedIn(dbPathOf(userDataDir))).refreshToken, LOW.refreshToken);

    const best = await vscode.commands.executeCommand<IdeSwitchOutcome>('agate.switchIdeAccountBest', { userDataDir, families: ['claude'] });
    const expected = best!.offered.find((o) => o.eligible && !o.current);
    assert.equal(best?.switched?.email, expected?.email);
    assert.equal(best?.offered.find((o) => o.email === LOW.email)?.current, true, 'the account the IDE uses is marked, not offered as best');
    assert.notEqual(best?.switched?.email, LOW.email);
  });
});
