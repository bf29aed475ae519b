/**
 * Account states survive a gateway restart on the same data dir and secret
 * store: cooldowns, exhausted-until-reset, needs re-auth, forbidden (with its
 * URL), disabled, and the user's order.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startStack, type Stack } from '../../helpers/stack';
import { accountIdOf, ADA, ask, BOB, CY, DEE, echoOf, generations, logMark, viewOf } from './clients';

const EVE = { email: 'eve@example.com', refreshToken: '1//pool-eve', tier: 'g1-pro-tier' };
const MODEL = 'claude-sonnet-4-6';

describe('pool: persistence across a restart', () => {
  let stack: Stack;
  afterEach(() => stack?.close());

  it('keeps every account state and the order, and honours them at once', async () => {
    stack = await startStack({ accounts: [ADA, BOB, CY, DEE, EVE], flags: { 'scheduling.mode': 'balance' } });
    const pool = () => stack.agate.pool;
    const validationUrl = 'https://accounts.google.com/signin/continue?plt=persist';
    await pool().reorder([EVE, DEE, CY, BOB, ADA].map((a) => accountIdOf(stack, a.email)));
    await pool().disable(accountIdOf(stack, EVE.email));
    // dee: forbidden; cy: needs re-auth; bob: exhausted for the model; ada: cooling down for it.
    stack.sim.injectFault({ kind: 'validation_required', url: validationUrl, account: DEE.email });
    stack.sim.revoke(CY.email);
    stack.sim.injectFault({ kind: 'quota_exhausted', resetInMs: 2 * 3600_000, account: BOB.email });
    stack.sim.injectFault({ kind: 'rate_limited', retryDelayMs: 600_000, account: ADA.email });
    const failed = await ask('anthropic', stack, { text: 'mark them all' });
    assert.equal(failed.error?.status, 429, JSON.stringify(failed.error));
    await pool().refreshQuota(); // lets the fetches the 429s started land first
    const before = pool().list();
    assert.deepEqual(
      before.map((a) => [a.email, a.state]),
      [
        [EVE.email, 'disabled'],
        [DEE.email, 'forbidden'],
        [CY.email, 'needs_reauth'],
        [BOB.email, 'active'],
        [ADA.email, 'active'],
      ],
    );

    await stack.restart();

    const after = pool().list();
    assert.deepEqual(after, before, 'the same views after the restart');
    assert.equal(viewOf(stack, DEE.email).actionUrl, validationUrl);
    assert.match(viewOf(stack, CY.email).stateReason ?? '', /invalid_grant/);
    const bobLimit = viewOf(stack, BOB.email).models.find((m) => m.id === MODEL)?.limit;
    const adaLimit = viewOf(stack, ADA.email).models.find((m) => m.id === MODEL)?.limit;
    assert.equal(bobLimit?.kind, 'exhausted');
    assert.ok(bobLimit!.until > Date.now() + 3600_000);
    assert.equal(adaLimit?.kind, 'cooldown');
    assert.ok(adaLimit!.until > Date.now() + 500_000);
    // The states came from the document on disk, which holds no token.
    const stored = fs.readFileSync(path.join(stack.dataDir, 'accounts.json'), 'utf8');
    assert.match(stored, /needs_reauth/);
    for (const account of [ADA, BOB, CY, DEE, EVE]) assert.ok(!stored.includes(account.refreshToken));
    assert.ok(!/ya29\./.test(stored));

    // The restarted gateway honours the states without asking the upstream.
    const mark = logMark(stack.sim);
    const limited = await ask('anthropic', stack, { text: 'after restart' });
    assert.equal(limited.error?.status, 429);
    assert.ok(Number(limited.error?.headers?.['retry-after']) > 500);
    assert.equal(generations(stack.sim, mark).length, 0);

    // The limits are per model: bob (before ada in the order) serves another model with the token from the secret store.
    const other = await ask('openai', stack, { text: 'other model' });
    assert.equal(other.text, echoOf('gemini-3-flash', 'other model'));
    // Re-enabled after the restart, eve (first in the order) takes the limited model.
    await pool().enable(accountIdOf(stack, EVE.email));
    const eve = await ask('anthropic', stack, { text: 'eve is back' });
    assert.equal(eve.text, echoOf(MODEL, 'eve is back'));
    assert.deepEqual(
      generations(stack.sim, mark).map((e) => e.account),
      [BOB.email, EVE.email],
    );
  });

  it('a removed account stays removed, with its refresh token gone', async () => {
    stack = await startStack({ accounts: [ADA, BOB] });
    const bobId = accountIdOf(stack, BOB.email);
    await stack.agate.pool.remove(bobId);
    await stack.restart();
    assert.deepEqual(
      stack.agate.pool.list().map((a) => a.email),
      [ADA.email],
    );
    assert.ok(![...stack.secrets.values.keys()].some((key) => key.includes(bobId)));
  });
});
