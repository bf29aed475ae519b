/**
 * The pool beside a team's shared accounts (a fake of the SharedAccounts port): the same Google account
 * added on two instances before they shared ends as one record everywhere, the others' limits merge
 * (a later record without them does not erase them), and a removal elsewhere removes it here.
 */
import assert from 'node:assert/strict';
import { refreshTokenKey } from '../../../src/core/accounts/account-store';
import { createAccountPool } from '../../../src/core/accounts/pool';
import type { SharedAccountHandlers, SharedAccounts } from '../../../src/core/accounts/shared';
import type { AccountRecord, ModelLimit } from '../../../src/core/accounts/types';
import { FakeClock, FakeGoogle, MemoryDocuments, MemorySecrets, refreshTokenOf } from './fakes';

class FakeTeamAccounts implements SharedAccounts {
  readonly records = new Map<string, AccountRecord>();
  readonly refreshTokens = new Map<string, string>();
  readonly removed: string[] = [];
  handlers?: SharedAccountHandlers;
  async load() {
    return [...this.records.values()].map((record) => structuredClone(record));
  }
  put(record: Readonly<AccountRecord>) {
    this.records.set(record.id, structuredClone(record) as AccountRecord);
  }
  limit(accountId: string, model: string, limit: ModelLimit) {
    const record = this.records.get(accountId);
    if (record) record.limits[model] = { ...limit };
  }
  remove(accountId: string) {
    this.records.delete(accountId);
    this.refreshTokens.delete(accountId);
    this.removed.push(accountId);
  }
  async refreshToken(accountId: string) {
    return this.refreshTokens.get(accountId);
  }
  async setRefreshToken(accountId: string, refreshToken: string) {
    this.refreshTokens.set(accountId, refreshToken);
  }
  subscribe(handlers: SharedAccountHandlers) {
    this.handlers = handlers;
    return () => (this.handlers = undefined);
  }
}

const ADA = 'ada@example.com';

async function harness() {
  const clock = new FakeClock();
  const google = new FakeGoogle(clock);
  google.add({ email: ADA, projectId: 'proj-ada' });
  const documents = new MemoryDocuments();
  const secrets = new MemorySecrets();
  // Ada, added on this instance while it ran alone.
  const alone = await createAccountPool({ documents, secrets, oauth: google, api: google, clock });
  const local = (await alone.addByRefreshToken(refreshTokenOf(ADA))).account;
  await alone.close();
  const team = new FakeTeamAccounts();
  const open = () => createAccountPool({ documents, secrets, oauth: google, api: google, clock, shared: team });
  return { clock, secrets, team, local, open };
}

const teamRecord = (id: string, addedAt: number): AccountRecord => ({
  id,
  email: ADA,
  projectId: 'proj-ada',
  priority: 0,
  status: 'active',
  disabled: false,
  limits: {},
  addedAt,
});

describe('account pool in a team', () => {
  it("adopts the team's older record of the same account, and keeps its refresh token locally", async () => {
    const { team, local, secrets, open } = await harness();
    team.records.set('acct_team', teamRecord('acct_team', local.addedAt - 1_000));
    team.refreshTokens.set('acct_team', refreshTokenOf(ADA));
    const pool = await open();
    assert.deepEqual(
      pool.list().map((account) => account.id),
      ['acct_team'],
    );
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(await secrets.get(refreshTokenKey('acct_team')), refreshTokenOf(ADA));
    assert.deepEqual(team.removed, []);
    await pool.close();
  });

  it('keeps its own older record and has the team drop the newer one', async () => {
    const { team, local, open } = await harness();
    team.records.set('acct_team', teamRecord('acct_team', local.addedAt + 1_000));
    const pool = await open();
    assert.deepEqual(
      pool.list().map((account) => account.id),
      [local.id],
    );
    assert.deepEqual(team.removed, ['acct_team']);
    assert.deepEqual([...team.records.keys()], [local.id]);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(team.refreshTokens.get(local.id), refreshTokenOf(ADA));
    await pool.close();
  });

  it("applies the others' limits and removals; a later record without a limit does not erase it", async () => {
    const { team, local, clock, open } = await harness();
    const pool = await open();
    assert.ok(team.records.has(local.id), 'its own account went to the team');
    const limit: ModelLimit = { kind: 'cooldown', until: clock.now() + 600_000, reason: 'RATE_LIMIT_EXCEEDED' };
    team.handlers!.limit(local.id, 'gemini-3-flash', limit);
    assert.deepEqual(pool.snapshot()[0].limits['gemini-3-flash'], limit);
    team.handlers!.put({ ...teamRecord(local.id, local.addedAt), priority: 3 });
    assert.equal(pool.snapshot()[0].priority, 3);
    assert.deepEqual(pool.snapshot()[0].limits['gemini-3-flash'], limit);
    team.handlers!.removed(local.id);
    assert.deepEqual(pool.list(), []);
    await pool.close();
  });
});
