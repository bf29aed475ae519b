// The dashboard in Simplified Chinese and English in headless Chromium, at 760 px and 1400 px: the browser's
// language picks the catalogue, the header's switch overrides it and is remembered, durations and numbers are the
// locale's, and no tab overflows the window or clips its text in either language. Screenshots in
// .test-artifacts/dashboard/l10n-<language>-<width>-<tab>.png.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { dashboardHtml } from '../../../src/core/admin/dashboard-page';
import { DEFAULT_ACCOUNT, startStack, type Stack } from '../../helpers/stack';
import { dashboardBundle } from './bundle';
import { ARTIFACTS, CHROMIUM } from './headless-page';

const BOB = { email: 'bob@example.com', refreshToken: '1//stack-refresh-bob', tier: 'free-tier' };
const TABS = ['overview', 'accounts', 'monitor', 'stats', 'proxy'] as const;

/** Elements whose text is cut: wider content than box in a box that hides the overflow, or the page wider than the window. */
async function overflowProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    if (document.documentElement.scrollWidth > window.innerWidth + 1)
      problems.push(`page ${document.documentElement.scrollWidth}px wide in ${window.innerWidth}px`);
    for (const element of Array.from(document.querySelectorAll<HTMLElement>('#app *'))) {
      if (element.offsetParent === null || element.closest('[hidden]') || element.tagName === 'CANVAS') continue;
      const style = getComputedStyle(element);
      const hides = ['hidden', 'clip'].includes(style.overflowX) || style.textOverflow === 'ellipsis';
      if (hides && element.scrollWidth > element.clientWidth + 1 && !element.closest('pre, code, .requests, .detail')) {
        problems.push(`${element.tagName.toLowerCase()}.${element.className} "${(element.textContent ?? '').trim().slice(0, 40)}"`);
      }
    }
    return problems;
  });
}

describe('dashboard: English and Simplified Chinese in a browser', function () {
  this.timeout(120_000);
  let stack: Stack;
  let browser: Browser;
  const savedSettings: Array<Record<string, unknown>> = [];

  async function openIn(locale: string, width: number): Promise<{ page: Page; problems: string[] }> {
    const context = await browser.newContext({ locale, viewport: { width, height: 900 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
    page.on('pageerror', (err) => problems.push(err.message));
    return { page, problems };
  }

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) this.skip();
    // Two attempts and a short retry budget: the failed request of the attempt-trail test gives up soon.
    stack = await startStack({
      accounts: [DEFAULT_ACCOUNT, BOB],
      flags: { 'scheduling.maxAttempts': '2', 'scheduling.transientRetryBudgetMs': '2000' },
      // A host that keeps the settings panel's changes (the editor's settings, a config file): here, in memory.
      host: {
        dashboardDir: await dashboardBundle(),
        settingsLocation: 'memory',
        updateSettings: async (changes) => {
          savedSettings.push(changes);
          return { restartRequired: [] };
        },
      },
    });
    const [, bob] = stack.agate.pool.list();
    stack.agate.pool.markNeedsReauth(bob.id, 'Token has been expired or revoked.');
    const response = await fetch(`${stack.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': 'unused' },
      body: JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 16, messages: [{ role: 'user', content: 'hello' }] }),
    });
    await response.text();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  for (const [locale, language, overview, accountsTab, reset] of [
    ['zh-CN', 'zh-cn', '概览', '账号', /后重置/],
    ['en-US', 'en', 'Overview', 'Accounts', /resets in/],
  ] as const) {
    for (const width of [760, 1400]) {
      it(`${locale} at ${width} px: every tab in the language, nothing overflowing or clipped`, async () => {
        const { page, problems } = await openIn(locale, width);
        await page.goto(`${stack.url}/dashboard`);
        await page.getByRole('tab', { name: overview }).waitFor();
        assert.equal(await page.evaluate(() => document.documentElement.lang), locale);
        assert.equal(await page.locator('[data-language-switch]').inputValue(), language);
        for (const tab of TABS) {
          await page.locator(`#tab-${tab}`).click();
          await page.locator(`#panel-${tab}`).waitFor();
          if (tab === 'accounts') {
            await page.getByRole('tab', { name: accountsTab }).waitFor();
            await page.locator('.account-card').first().waitFor();
            assert.match((await page.locator('.account-list').textContent()) ?? '', reset);
          }
          if (tab === 'stats') await page.locator('.stats canvas').first().waitFor();
          await page.waitForTimeout(0);
          await page.screenshot({ path: path.join(ARTIFACTS, `l10n-${language}-${width}-${tab}.png`), fullPage: true });
          assert.deepEqual(await overflowProblems(page), [], `${tab}`);
        }
        assert.deepEqual(problems, []);
        await page.context().close();
      });
    }
  }

  it('the header switch changes the language and is remembered; English words are gone in Chinese', async () => {
    const { page } = await openIn('en-US', 1400);
    await page.goto(`${stack.url}/dashboard`);
    await page.getByRole('tab', { name: 'Overview' }).waitFor();
    await Promise.all([page.waitForEvent('load'), page.locator('[data-language-switch]').selectOption('zh-cn')]);
    await page.getByRole('tab', { name: '概览' }).waitFor();
    await page.reload();
    await page.getByRole('tab', { name: '概览' }).waitFor();
    const tabs = await page.locator('[role=tab]').allTextContents();
    assert.deepEqual(tabs, ['概览', '账号', '实时监控', 'Token 统计', 'API 代理']);
    await page.locator('#tab-accounts').click();
    await page.locator('.account-card').first().waitFor();
    const buttons = await page.locator('.account-card [data-action], .account-card vscode-button, .account-card button').allTextContents();
    assert.ok(
      buttons.some((text) => text.includes('刷新配额')),
      buttons.join(' | '),
    );
    await page.context().close();
  });

  it("the core's words in the language: the overview's health verdict and reasons, a failed request's attempt trail", async () => {
    const failed = await fetch(`${stack.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': 'unused' },
      body: JSON.stringify({ model: 'gemini-3-flash', max_tokens: 16, messages: [{ role: 'user', content: '[[sim:fault server_error]] trail' }] }),
    });
    await failed.text();
    assert.equal(failed.status, 502);
    const id = failed.headers.get('x-request-id')!;
    for (const [locale, verdict, tab, fallBack] of [
      ['zh-CN', '降级：1 个账号需要处理（2 个账号中 1 个可用）。', '实时监控', '→ 改用下一个主机'],
      ['en-US', 'Degraded: 1 account needs attention (1 of 2 accounts usable).', 'Live monitor', '→ fall back to the next host'],
    ] as const) {
      const { page, problems } = await openIn(locale, 1400);
      await page.goto(`${stack.url}/dashboard`);
      const health = page.locator('[data-health]');
      await health.waitFor();
      assert.equal(await health.textContent(), verdict);
      // The account's own reason (from Google) is shown as it came.
      assert.match((await page.locator('[data-issues="Need to sign in again"]').textContent()) ?? '', /bob@example\.com — Token has been expired or revoked\./);
      await page.getByRole('tab', { name: tab }).click();
      const row = page.locator(`tr[data-request="${id}"]`);
      await row.waitFor();
      await row.click();
      const entries = page.locator('.attempts .attempt');
      await entries.first().waitFor();
      const texts = await entries.allTextContents();
      assert.ok(texts[0].includes(fallBack), texts[0]);
      // The scheduler's reasons too.
      assert.match(texts.at(-1)!, locale === 'zh-CN' ? /→ 放弃：尝试 2 次（4 次上游调用）后放弃$/ : /→ give up: gave up after 2 attempts, 4 upstream calls$/);
      await page.screenshot({ path: path.join(ARTIFACTS, `l10n-${locale}-trail.png`), fullPage: true });
      assert.deepEqual(problems, []);
      await page.context().close();
    }
  });

  it("the settings panel words the gateway's refusal of a value in the language (the admin error's code)", async () => {
    for (const [locale, refusal] of [
      ['zh-CN', '设置 "port" 必须 <= 65535'],
      ['en-US', 'Setting "port" must be <= 65535'],
    ] as const) {
      const { page, problems } = await openIn(locale, 1400);
      await page.goto(`${stack.url}/dashboard`);
      await page.locator('#tab-proxy').click();
      await page.locator('#proxy-port input').fill('70000');
      await page.locator('[data-action="save-gateway"]').click();
      const error = page.locator('#panel-proxy .proxy-section .error', { hasText: /\S/ });
      await error.waitFor();
      assert.equal(await error.textContent(), refusal);
      await page.screenshot({ path: path.join(ARTIFACTS, `l10n-${locale}-refused-setting.png`), fullPage: true });
      // The refusal came from the gateway (a 400), which the console reports; nothing else went wrong.
      assert.deepEqual(
        problems.filter((problem) => !/status of 400/.test(problem)),
        [],
      );
      await page.context().close();
    }
    assert.deepEqual(savedSettings, []);
  });

  it("a provider card in Chinese: the cap that stops it and the default prices' source, nothing overflowing", async () => {
    stack.sim.addProviderKey({ provider: 'openai', key: 'sk-oai-l10n-0001', name: 'l10n-openai' });
    await stack.agate.admin.call('addProvider', {
      name: 'paid',
      kind: 'openai-compatible',
      key: 'sk-oai-l10n-0001',
      baseUrl: `${stack.sim.url}/openai/v1`,
      limits: { requestsPerMinute: 1 },
    });
    // One request uses the minute's only slot: the card says the cap stops the provider.
    const through = await fetch(`${stack.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'paid:gpt-4o', messages: [{ role: 'user', content: 'hello' }] }),
    });
    assert.equal(through.status, 200, await through.text());
    for (const width of [760, 1400]) {
      const { page, problems } = await openIn('zh-CN', width);
      await page.goto(`${stack.url}/dashboard`);
      await page.locator('#tab-accounts').click();
      const card = page.locator('[data-provider]').filter({ hasText: 'paid' });
      await card.waitFor();
      assert.match((await card.locator('.state-line').textContent()) ?? '', /^已达每分钟请求数上限：paid：已达每分钟 1 个请求的上限（\d+ 秒后解除）$/);
      assert.match(
        (await card.locator('.provider-prices-source').textContent()) ?? '',
        /^默认价格：各厂商的价格页面（anthropic\.com\/pricing, .*），2025-11-20 发布的版本。$/,
      );
      await page.screenshot({ path: path.join(ARTIFACTS, `l10n-zh-cn-${width}-provider.png`), fullPage: true });
      assert.deepEqual(await overflowProblems(page), []);
      assert.deepEqual(problems, []);
      await page.context().close();
    }
  });

  it("the webview's page carries the editor's language; anything but a language tag falls back to English", () => {
    const page = (language?: string) => dashboardHtml({ csp: '', head: '', scripts: '', transport: 'vscode', ...(language === undefined ? {} : { language }) });
    assert.match(page('zh-cn'), /<html lang="zh-cn">/);
    assert.match(page(), /<html lang="en">/);
    assert.match(page('"><script>'), /<html lang="en">/);
  });
});
