// The dashboard's sign-in in headless Chromium with auth on: the key prompt, the session cookie (HttpOnly, not
// readable by the page), a reload that stays signed in, and "Sign out".
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startStack, type Stack } from '../../helpers/stack';
import { dashboardBundle } from './bundle';
import { ARTIFACTS, CHROMIUM, openHeadlessPage } from './headless-page';

describe('dashboard: sign-in in a browser', function () {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let primary: string;
  let problems: string[];

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) this.skip();
    stack = await startStack({ flags: { authMode: 'strict' }, host: { dashboardDir: await dashboardBundle() } });
    primary = await stack.agate.security.primaryKey();
    ({ browser, page, problems } = await openHeadlessPage());
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  /** The browser reports the 401/403 of the sign-in page itself as a console error; anything else is a problem. */
  const realProblems = () => problems.filter((text) => !/Failed to load resource: the server responded with a status of 40[13]/.test(text));

  it('shows a key prompt without a sign-in, and signs in from it', async () => {
    await page.goto(`${stack.url}/dashboard`);
    await page.getByLabel('Primary key').waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'sign-in.png') });
    await page.getByLabel('Primary key').fill(primary);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.live-badge.live').waitFor();
    assert.equal(new URL(page.url()).pathname, '/dashboard');
    assert.equal(new URL(page.url()).search, '', 'the key is not in the address bar');
    const cookies = await page.context().cookies();
    assert.equal(cookies.length, 2);
    for (const cookie of cookies) {
      assert.equal(cookie.httpOnly, true);
      assert.equal(cookie.sameSite, 'Strict');
      assert.notEqual(cookie.value, primary);
    }
    assert.equal(await page.evaluate(() => document.cookie), '', 'page scripts cannot read the session');
  });

  it('stays signed in across a reload', async () => {
    await page.reload();
    await page.locator('.live-badge.live').waitFor();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'signed-in.png') });
  });

  it('"Sign out" ends the session: the prompt again, and a reload stays signed out', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Primary key').waitFor();
    assert.deepEqual(await page.context().cookies(), []);
    await page.reload();
    await page.getByLabel('Primary key').waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'signed-out.png') });
  });

  it('a client key in the prompt is refused with a reason', async () => {
    const { key } = await stack.agate.security.keys.create({ name: 'in-the-browser' });
    await page.getByLabel('Primary key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    assert.match((await page.getByRole('alert').textContent()) ?? '', /client key/);
    assert.deepEqual(await page.context().cookies(), []);
  });

  it('ran without script errors or CSP violations', () => {
    assert.deepEqual(realProblems(), []);
  });
});
