// The Accounts tab's API-key providers in headless Chromium: a card per provider with its state, models, use and
// spend of today against its daily cap (updated after a request through it), and adding, disabling and removing a
// provider from the page.
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { dashboardInBrowser } from './headless-page';

describe('dashboard: API-key providers in a browser', function () {
  this.timeout(60_000);
  const suite = dashboardInBrowser();

  before(async () => {
    suite.stack.sim.addProviderKey({ provider: 'openai', key: 'sk-oai-dash-0001', name: 'dash-openai' });
    suite.stack.sim.addProviderKey({ provider: 'anthropic', key: 'sk-ant-dash-0002', name: 'dash-claude' });
    await suite.stack.agate.admin.call('addProvider', {
      name: 'paid',
      kind: 'openai-compatible',
      key: 'sk-oai-dash-0001',
      baseUrl: `${suite.stack.sim.url}/openai/v1`,
      limits: { dailySpendCapUsd: 5 },
    });
  });

  it('shows a card per provider beside the accounts, and its spend after a request through it', async () => {
    const { page, stack } = suite;
    await page.goto(`${stack.url}/dashboard`);
    await page.getByRole('tab', { name: 'Accounts' }).click();
    const card = page.locator('[data-provider]').filter({ hasText: 'paid' });
    await card.waitFor();
    const text = async () => (await card.textContent()) ?? '';
    assert.match(await text(), /OpenAI-compatible/);
    assert.match(await text(), new RegExp(`${stack.sim.url}/openai/v1`.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
    assert.match(await text(), /Ready/);
    assert.match(await text(), /Models: .*gpt-4o/);
    assert.match(await text(), /Spend today: \$0\.00 of \$5\.00/);
    assert.match(await text(), /Priority \d+ · key …0001/);

    const openai = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    await openai.chat.completions.create({ model: 'paid:gpt-4o', messages: [{ role: 'user', content: '[[sim:words 300]]' }] });
    // The card follows the live feed: a request through the provider reloads its use and spend.
    await card.locator('.provider-spend').filter({ hasNotText: '$0.00 of' }).waitFor();
    const [paid] = (await stack.agate.admin.call('providers', {})).filter((provider) => provider.name === 'paid');
    assert.ok(paid.today!.spendUsd > 0);
    assert.match(await text(), /Today: 1 request ·/);
    assert.match(
      (await card.locator('.provider-spend-split').textContent()) ?? '',
      /input \$0\.\d+ · cached input \$0\.00 · cache write \$0\.00 · output \$0\.\d+/,
    );
    assert.ok(Number(await card.locator('[role="meter"]').getAttribute('aria-valuenow')) >= 0);
    await suite.shoot('providers');

    // The Token stats tab: the spend through providers, split by kind of token.
    await page.getByRole('tab', { name: 'Token stats' }).click();
    const spendFact = page.locator('.overview div').filter({ hasText: 'Spend (API key providers)' });
    await spendFact.waitFor();
    assert.match((await spendFact.textContent()) ?? '', /\$0\.00[1-9]\d*/);
    assert.match((await page.locator('.overview div').filter({ hasText: 'Spend by token kind' }).textContent()) ?? '', /output \$0\.00\d+/);
    await page.getByRole('tab', { name: 'Accounts' }).click();
  });

  it('adds a provider with the form, disables it and removes it', async () => {
    const { page, stack } = suite;
    const form = page.getByRole('form', { name: 'Add an API key provider' });
    await form.getByLabel('Kind').selectOption('anthropic');
    await form.getByLabel('Name').fill('claude-dash');
    await form.getByLabel('Base URL').fill(`${stack.sim.url}/anthropic`);
    await form.getByLabel('API key').fill('sk-ant-dash-0002');
    await form.getByLabel('Models (optional)').fill('claude-sonnet-4-5, claude-haiku-4-5');
    await form.getByRole('button', { name: 'Add provider' }).click();
    const card = page.locator('[data-provider]').filter({ hasText: 'claude-dash' });
    await card.waitFor();
    const added = (await stack.agate.admin.call('providers', {})).find((provider) => provider.name === 'claude-dash');
    assert.deepEqual(added?.models, ['claude-sonnet-4-5', 'claude-haiku-4-5']);
    assert.equal(added?.kind, 'anthropic');
    assert.match((await card.textContent()) ?? '', /Anthropic.*Enabled/);

    await card.getByRole('button', { name: 'Disable' }).click();
    await card.getByRole('button', { name: 'Enable' }).waitFor();
    assert.match((await card.locator('.state-line').textContent()) ?? '', /Disabled/);
    assert.equal((await stack.agate.admin.call('providers', {})).find((provider) => provider.name === 'claude-dash')?.enabled, false);

    // Two steps: the first click arms the button.
    await card.getByRole('button', { name: 'Remove' }).click();
    await card.getByRole('button', { name: 'Confirm remove' }).click();
    await card.waitFor({ state: 'detached' });
    assert.equal(
      (await stack.agate.admin.call('providers', {})).some((provider) => provider.name === 'claude-dash'),
      false,
    );
    assert.deepEqual(suite.problems, []);
  });

  it("a refused key is said on the form, in the admin API's words", async () => {
    const { page } = suite;
    const form = page.getByRole('form', { name: 'Add an API key provider' });
    await form.getByLabel('Kind').selectOption('openai-compatible');
    await form.getByLabel('Name').fill('wrong-key');
    await form.getByLabel('Base URL').fill(`${suite.stack.sim.url}/openai/v1`);
    await form.getByLabel('API key').fill('sk-not-a-known-key');
    await form.getByRole('button', { name: 'Add provider' }).click();
    const alert = page.locator('.providers .error[role="alert"]');
    await alert.filter({ hasText: /key rejected/ }).waitFor();
    assert.equal(await page.locator('[data-provider]').filter({ hasText: 'wrong-key' }).count(), 0);
  });
});
