// The live monitor of a team member in headless Chromium: a "This instance / Whole team" switch shown only in team
// mode; the whole team's view adds the requests the other instance served (followed through Redis), each row
// tagged with the instance that served it, and a followed request opens its trail from its record.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startTeamStack, type TeamMember, type TeamStack } from '../team/team-stack';
import { dashboardBundle } from './bundle';
import { CHROMIUM, dashboardInBrowser, openHeadlessPage, type HeadlessPage } from './headless-page';

async function ask(member: TeamMember, text: string): Promise<string> {
  const response = await fetch(`${member.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': 'unused' },
    body: JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 16, messages: [{ role: 'user', content: text }] }),
  });
  await response.text();
  assert.equal(response.status, 200);
  return response.headers.get('x-request-id')!;
}

describe('dashboard: the live monitor of a team member in a browser', function () {
  this.timeout(90_000);
  let team: TeamStack;
  let browser: HeadlessPage;

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) this.skip();
    team = await startTeamStack({ instances: 2, dashboardDir: await dashboardBundle() });
    browser = await openHeadlessPage();
  });
  after(async () => {
    await browser?.browser.close();
    await team?.close();
  });

  it('switches between this instance and the whole team, rows tagged with their instance', async () => {
    const [a, b] = team.members;
    const own = await ask(a, 'served by a');
    const followed = await ask(b, 'served by b');
    const { page, problems } = browser;
    await page.goto(`${a.url}/dashboard`);
    await page.getByRole('tab', { name: 'Live monitor' }).click();
    await page.locator(`tr[data-request="${own}"]`).waitFor();
    const switcher = page.getByRole('group', { name: 'Requests of' });
    await switcher.waitFor();
    assert.equal(await page.getByRole('button', { name: 'This instance' }).getAttribute('aria-pressed'), 'true');
    assert.equal(await page.locator(`tr[data-request="${followed}"]`).count(), 0, "the other instance's request is not this one's");

    await page.getByRole('button', { name: 'Whole team' }).click();
    assert.equal(await page.getByRole('button', { name: 'Whole team' }).getAttribute('aria-pressed'), 'true');
    const followedRow = page.locator(`tr[data-request="${followed}"]`);
    await followedRow.waitFor();
    assert.equal(await followedRow.locator('td[data-instance]').textContent(), b.agate.team!.instanceId);
    assert.equal(await page.locator(`tr[data-request="${own}"] td[data-instance]`).textContent(), 'this instance');
    assert.ok(await page.getByRole('columnheader', { name: 'Instance' }).isVisible());
    // Requests the other instance serves from now on come in too, without a reload.
    const later = await ask(b, 'later on b');
    await page.locator(`tr[data-request="${later}"]`).waitFor();
    await followedRow.click();
    assert.match((await page.locator('aside.detail').textContent()) ?? '', new RegExp(followed));

    await page.getByRole('button', { name: 'This instance' }).click();
    await followedRow.waitFor({ state: 'detached' });
    assert.equal(await page.getByRole('columnheader', { name: 'Instance' }).count(), 0);
    assert.deepEqual(problems, []);
  });
});

describe('dashboard: the live monitor of a single gateway in a browser', function () {
  this.timeout(60_000);
  const ui = dashboardInBrowser();

  it('shows no team switch', async () => {
    await ui.page.goto(`${ui.stack.url}/dashboard`);
    await ui.page.getByRole('tab', { name: 'Live monitor' }).click();
    await ui.page.locator('.scope-switch').waitFor({ state: 'attached' });
    assert.equal(await ui.page.getByRole('group', { name: 'Requests of' }).count(), 0);
    assert.equal(await ui.page.getByRole('button', { name: 'Whole team' }).isVisible(), false);
  });
});
