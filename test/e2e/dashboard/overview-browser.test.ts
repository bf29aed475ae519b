// The dashboard in headless Chromium: the Overview tab (pool quota, account states with reasons, today's counts,
// the next pick per family, the health verdict), a failed request's full attempt trail, a rejected request in the
// live monitor, and the 760 px layouts (no clipped monitor column, full model names, built-in aliases listed).
import assert from 'node:assert/strict';
import { DEFAULT_ACCOUNT } from '../../helpers/stack';
import { dashboardInBrowser } from './headless-page';

const BOB = { email: 'bob@example.com', refreshToken: '1//stack-refresh-bob', tier: 'free-tier' };
const CY = { email: 'cy@example.com', refreshToken: '1//stack-refresh-cy', tier: 'g1-ultra-tier' };

describe('dashboard: overview, trails and narrow layouts in a browser', function () {
  this.timeout(60_000);
  const ui = dashboardInBrowser({
    accounts: [DEFAULT_ACCOUNT, BOB, CY],
    flags: { 'scheduling.maxAttempts': '2', 'scheduling.transientRetryBudgetMs': '2000' },
  });

  async function ask(text: string, body?: string, model = 'claude-sonnet-4-6'): Promise<{ status: number; id: string }> {
    const response = await fetch(`${ui.stack.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': 'unused' },
      body: body ?? JSON.stringify({ model, max_tokens: 16, messages: [{ role: 'user', content: text }] }),
    });
    await response.text();
    return { status: response.status, id: response.headers.get('x-request-id')! };
  }

  before(() => {
    const { pool } = ui.stack.agate;
    const [, bob, cy] = pool.list();
    pool.markNeedsReauth(bob.id, 'Token has been expired or revoked.');
    pool.markLimited(cy.id, 'claude-sonnet-4-6', { kind: 'cooldown', until: pool.snapshot()[0].addedAt + 3_600_000, reason: 'RATE_LIMIT_EXCEEDED' });
  });

  it('opens on the Overview: health verdict, today, accounts with reasons, next pick per family, pool quota per model', async () => {
    assert.equal((await ask('one')).status, 200);
    assert.equal((await ask('[[sim:fault server_error]] two', undefined, 'gemini-3-flash')).status, 502);
    await ui.page.goto(`${ui.stack.url}/dashboard`);
    assert.equal(await ui.page.getByRole('tab', { name: 'Overview' }).getAttribute('aria-selected'), 'true', 'the first tab');
    const health = ui.page.locator('[data-health]');
    await health.waitFor();
    assert.equal(await health.getAttribute('data-health'), 'degraded');
    assert.match((await health.textContent()) ?? '', /1 account needs attention \(2 of 3 accounts usable\)/);
    const cards = ui.page.locator('.overview-card');
    assert.match((await cards.filter({ hasText: 'Requests today' }).textContent()) ?? '', /Requests today\s*2\s*1 failed/);
    assert.match((await cards.filter({ hasText: 'Accounts usable' }).textContent()) ?? '', /2 of 3.*1 need sign-in/);
    // Ultra beats Pro: the scheduler's own ranking.
    assert.match((await ui.page.locator('[data-card="next-claude"]').textContent()) ?? '', /cy@example\.com/);
    assert.match((await ui.page.locator('[data-card="next-gemini"]').textContent()) ?? '', /cy@example\.com.*gemini-/);
    const sonnet = ui.page.locator('tr[data-model="claude-sonnet-4-6"]');
    assert.match((await sonnet.textContent()) ?? '', /Claude Sonnet 4\.6.*claude-sonnet-4-6.*1\/3.*1 more in/);
    assert.match(
      (await ui.page.locator('[data-issues="Need to sign in again"]').textContent()) ?? '',
      /bob@example\.com — Token has been expired or revoked\./,
    );
    await ui.shoot('overview-1280');
  });

  it('lists every upstream call of a failed request, numbered once, each with what came next', async () => {
    const failed = await ask('[[sim:fault server_error]] trail', undefined, 'gemini-3-flash');
    assert.equal(failed.status, 502);
    await ui.page.getByRole('tab', { name: 'Live monitor' }).click();
    const row = ui.page.locator(`tr[data-request="${failed.id}"]`);
    await row.waitFor();
    await row.click();
    const entries = ui.page.locator('.attempts .attempt');
    await entries.first().waitFor();
    const calls = ui.stack.sim.log.filter((entry) => entry.method === 'streamGenerateContent' && entry.status === 500).length;
    assert.ok((await entries.count()) >= 2);
    const texts = await entries.allTextContents();
    for (const text of texts) assert.doesNotMatch(text, /^\s*\d+\./, 'the list numbers the entries; the text does not');
    assert.match(texts[0], /^500 server .*\/daily.*→ fall back to the next host/);
    // Accounts in the trail are masked, as in the log and the console.
    assert.match(texts[0], /(c|ad)\*\*\*@example\.com/);
    assert.doesNotMatch(texts.join(' '), /(cy|ada)@example\.com/);
    assert.match(texts.at(-1)!, /→ give up: gave up after 2 attempts, 4 upstream calls/);
    assert.ok(calls >= (await entries.count()));
    await ui.shoot('trail-1280');
  });

  it('shows a request refused before any upstream call, with its reason', async () => {
    const refused = await ask('', '{"model": "claude-sonnet-4-6", "max_tokens": 5}');
    assert.equal(refused.status, 400);
    const row = ui.page.locator(`tr[data-request="${refused.id}"]`);
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /anthropic.*claude-sonnet-4-6.*400/);
    await row.click();
    await ui.page.getByText('Rejected before any upstream call (HTTP 400).').waitFor();
    assert.match((await ui.page.locator('.detail').textContent()) ?? '', /Errormessages/);
  });

  it('at 760 px: every monitor column visible, full model names, the overview fits, built-in aliases listed', async () => {
    await ui.page.setViewportSize({ width: 760, height: 900 });
    await ui.page.getByRole('tab', { name: 'Live monitor' }).click();
    const table = ui.page.locator('table.requests');
    const box = (await table.boundingBox())!;
    for (const header of ['Status', 'Latency', 'Attempts']) {
      const cell = (await table.getByRole('columnheader', { name: header }).boundingBox())!;
      assert.ok(cell.x + cell.width <= box.x + box.width + 1 && cell.x + cell.width <= 760, `${header} fits (${cell.x}+${cell.width})`);
      const text = await table.getByRole('columnheader', { name: header }).evaluate((element) => element.scrollWidth <= element.clientWidth);
      assert.ok(text, `${header} is not clipped`);
    }
    const wrap = await ui.page
      .locator('.table-wrap')
      .first()
      .evaluate((element) => element.scrollWidth <= element.clientWidth);
    assert.ok(wrap, 'the table needs no horizontal scrolling');
    await ui.shoot('monitor-760');

    await ui.page.getByRole('tab', { name: 'Accounts' }).click();
    const names = ui.page.locator('[data-account] .quota-model');
    await names.first().waitFor();
    for (const name of await names.evaluateAll((elements) =>
      elements.map((element) => ({ text: element.textContent, clipped: element.scrollWidth > element.clientWidth })),
    )) {
      assert.ok(!name.clipped && !name.text?.includes('…'), `${name.text} shown in full`);
    }
    await ui.shoot('accounts-760');

    await ui.page.getByRole('tab', { name: 'Overview' }).click();
    await ui.page.locator('[data-health]').waitFor();
    assert.ok(await ui.page.evaluate(() => document.documentElement.scrollWidth <= 760), 'no horizontal scrolling');
    await ui.shoot('overview-760');

    await ui.page.getByRole('tab', { name: 'API Proxy' }).click();
    const state = ui.page.locator('[data-gateway-state]');
    await state.waitFor();
    const lines = await state.evaluate((element) =>
      Math.round(element.getBoundingClientRect().height / element.querySelector('strong')!.getBoundingClientRect().height),
    );
    assert.ok(lines <= 2, `the gateway state line takes ${lines} lines`);
    const builtIn = ui.page.locator('[data-built-in-aliases]');
    await builtIn.locator('summary').click();
    assert.match((await builtIn.textContent()) ?? '', /claude-\*sonnet\*\s*claude-sonnet-4-6/);
    await ui.shoot('proxy-760');
    assert.deepEqual(ui.problems, []);
  });

  it('closing a dashboard tab logs nothing alarming', async () => {
    const other = await ui.browser.newPage();
    await other.goto(`${ui.stack.url}/dashboard`);
    await other.locator('.live-badge.live').waitFor();
    const before = ui.stack.logs.length;
    await other.close();
    // A request after the close: by the time its record is listed, the closed event stream has been handled.
    const { id } = await ask('after the tab closed');
    for (let tries = 0; tries < 100; tries++) {
      const records = (await (await fetch(`${ui.stack.url}/admin/api/requests?limit=5`)).json()) as { records: Array<{ id: string }> };
      if (records.records.some((record) => record.id === id)) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const alarming = ui.stack.logs.slice(before).filter((line) => /WARN|ERROR|Premature close/.test(line));
    assert.deepEqual(alarming, []);
  });
});
