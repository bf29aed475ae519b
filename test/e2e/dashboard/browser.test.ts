// The dashboard in headless Chromium against a gateway with auth on: the key from ?key= leaves the address bar,
// an account card shows quota bars, a request appears live in the monitor with its attempt trail, the charts draw,
// and "Connect a client" previews, writes and undoes Claude Code's settings in a private HOME.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ConnectedHome } from '../../helpers/connect-home';
import { DEFAULT_ACCOUNT, startStack, type Stack } from '../../helpers/stack';
import { dashboardBundle } from './bundle';
import { ARTIFACTS, CHROMIUM, openHeadlessPage } from './headless-page';

describe('dashboard: in a browser', function () {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let primary: string;
  let problems: string[];
  const home = new ConnectedHome();

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) this.skip();
    stack = await startStack({
      accounts: [DEFAULT_ACCOUNT, { email: 'bob@example.com', refreshToken: '1//stack-refresh-bob' }],
      flags: { authMode: 'strict' },
      host: { dashboardDir: await dashboardBundle(), connectEnvironment: () => ({ home: home.home, env: home.env() }) },
    });
    primary = await stack.agate.security.primaryKey();
    ({ browser, page, problems } = await openHeadlessPage());
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
    home.cleanup();
  });

  it('loads with the key from ?key=, drops it from the address bar, and shows account cards with quota bars', async () => {
    await page.goto(`${stack.url}/dashboard?key=${encodeURIComponent(primary)}`);
    // The overview is the first tab; the cards are one tab over.
    await page.getByRole('tab', { name: 'Accounts' }).click();
    const card = page.locator('[data-account]').first();
    await card.waitFor();
    assert.equal(new URL(page.url()).search, '', 'the key left the address bar');
    assert.match((await card.textContent()) ?? '', /ada@example\.com/);
    const meters = card.locator('[role="meter"]');
    assert.ok((await meters.count()) > 0);
    assert.match((await meters.first().getAttribute('aria-valuetext')) ?? '', /^\d+%$/);
    await page.locator('.live-badge.live').waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'accounts.png'), fullPage: true });
  });

  it('streams a request into the live monitor and shows its attempt trail', async () => {
    await page.getByRole('tab', { name: 'Live monitor' }).click();
    const response = await fetch(`${stack.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${primary}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gemini-3-flash', messages: [{ role: 'user', content: 'watch me in the browser' }] }),
    });
    assert.equal(response.status, 200);
    const row = page.locator(`tr[data-request="${response.headers.get('x-request-id')}"]`);
    await row.waitFor({ timeout: 2000 });
    assert.match((await row.textContent()) ?? '', /gemini-3-flash.*ada@example\.com.*200/);
    await row.focus();
    await page.keyboard.press('Enter');
    await page.locator('.attempts .attempt.ok').waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'monitor.png'), fullPage: true });
  });

  it('draws the token and request charts after traffic', async () => {
    await page.getByRole('tab', { name: 'Token stats' }).click();
    await page.locator('.overview dd').first().waitFor();
    const requests = await page.locator('.overview div', { hasText: 'Requests' }).locator('dd').textContent();
    assert.ok(Number(requests) >= 1, `requests: ${requests}`);
    // A drawn chart has pixels: a blank canvas encodes to a much shorter data URL.
    const inked = await page
      .locator('canvas')
      .first()
      .evaluate((canvas: HTMLCanvasElement) => {
        const context = canvas.getContext('2d')!;
        const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
        let painted = 0;
        for (let at = 3; at < data.length; at += 4) if (data[at] > 0) painted++;
        return painted;
      });
    assert.ok(inked > 1000, `painted pixels: ${inked}`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'stats.png'), fullPage: true });
  });

  it('moves an account with the keyboard, keeping the focus on it', async () => {
    await page.getByRole('tab', { name: 'Accounts' }).click();
    await page.getByRole('button', { name: 'Move ada@example.com down' }).focus();
    await page.keyboard.press('Enter');
    await page.locator('[data-account]').first().filter({ hasText: 'bob@example.com' }).waitFor();
    assert.deepEqual(
      stack.agate.pool.list().map((account) => account.email),
      ['bob@example.com', 'ada@example.com'],
    );
    assert.equal(await page.getByRole('button', { name: 'Move ada@example.com down' }).isDisabled(), true, 'ada is last now');
    // Its down button is disabled at the end: the focus stays on the card, on its twin.
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Move ada@example.com up');
    await page.keyboard.press('Enter');
    await page.locator('[data-account]').first().filter({ hasText: 'ada@example.com' }).waitFor();
    assert.deepEqual(
      stack.agate.pool.list().map((account) => account.email),
      ['ada@example.com', 'bob@example.com'],
    );
  });

  it('connects Claude Code from the API Proxy panel: Preview shows the diff, Connect writes, Disconnect restores', async () => {
    const file = path.join(home.home, '.claude', 'settings.json');
    const original = '{\n  "model": "opus"\n}\n';
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, original);
    await page.getByRole('tab', { name: 'API Proxy' }).click();
    const row = page.locator('tr[data-connect-client="claude-code"]');
    await row.waitFor();
    assert.match((await row.locator('.connect-state').textContent()) ?? '', /^Not connected$/);

    await page.getByRole('button', { name: 'Preview connecting Claude Code' }).click();
    const diff = page.locator('[data-connect-preview="claude-code"] pre[data-diff="~/.claude/settings.json"]');
    await diff.waitFor();
    const shown = (await diff.textContent()) ?? '';
    assert.ok(shown.includes(`+    "ANTHROPIC_BASE_URL": "${stack.url}",`), shown);
    assert.ok(!shown.includes(primary), 'the key is masked in the diff');
    assert.equal(fs.readFileSync(file, 'utf8'), original, 'a preview writes nothing');
    await page.screenshot({ path: path.join(ARTIFACTS, 'connect-preview.png'), fullPage: true });

    await page.getByRole('button', { name: 'Connect Claude Code' }).click();
    await page.locator('tr[data-connect-client="claude-code"][data-connected="true"]').waitFor();
    assert.match((await page.locator('[data-connect-note]').textContent()) ?? '', /Claude Code now uses Agate/);
    assert.equal(await page.locator('[data-connect-preview]').count(), 0, 'the preview closes once written');
    assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), { model: 'opus', env: { ANTHROPIC_BASE_URL: stack.url, ANTHROPIC_AUTH_TOKEN: primary } });

    // Two steps, as revoking a key: the first click only arms the button.
    const disconnect = page.getByRole('button', { name: 'Disconnect Claude Code' });
    await disconnect.click();
    assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).env.ANTHROPIC_BASE_URL, stack.url, 'one click undoes nothing yet');
    await disconnect.click();
    await page.locator('tr[data-connect-client="claude-code"][data-connected="false"]').waitFor();
    assert.match((await page.locator('[data-connect-note]').textContent()) ?? '', /no longer uses Agate/);
    assert.equal(await disconnect.count(), 0, 'nothing left to disconnect');
    assert.equal(fs.readFileSync(file, 'utf8'), original);
    assert.equal(fs.existsSync(file + '.agate-backup'), false);
  });

  it('ran without script errors or CSP violations', () => {
    assert.deepEqual(problems, []);
  });
});
