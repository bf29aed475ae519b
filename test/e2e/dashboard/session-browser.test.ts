// The dashboard's sign-in in headless Chromium with auth on: the key prompt, the session cookie (HttpOnly, not
// readable by the page), a reload that stays signed in, and "Sign out".
import assert from 'node:assert/strict';
import path from 'node:path';
import { ARTIFACTS, dashboardInBrowser } from './headless-page';

describe('dashboard: sign-in in a browser', function () {
  const ui = dashboardInBrowser({ flags: { authMode: 'strict' } });
  let primary: string;
  before(async () => {
    primary = await ui.stack.agate.security.primaryKey();
  });

  /** The browser reports the 401/403 of the sign-in page itself as a console error; anything else is a problem. */
  const realProblems = () => ui.problems.filter((text) => !/Failed to load resource: the server responded with a status of 40[13]/.test(text));

  it('shows a key prompt without a sign-in, and signs in from it', async () => {
    await ui.page.goto(`${ui.stack.url}/dashboard`);
    await ui.page.getByLabel('Primary key').waitFor();
    await ui.page.screenshot({ path: path.join(ARTIFACTS, 'sign-in.png') });
    await ui.page.getByLabel('Primary key').fill(primary);
    await ui.page.getByRole('button', { name: 'Sign in' }).click();
    await ui.page.locator('.live-badge.live').waitFor();
    assert.equal(new URL(ui.page.url()).pathname, '/dashboard');
    assert.equal(new URL(ui.page.url()).search, '', 'the key is not in the address bar');
    const cookies = await ui.page.context().cookies();
    assert.equal(cookies.length, 2);
    for (const cookie of cookies) {
      assert.equal(cookie.httpOnly, true);
      assert.equal(cookie.sameSite, 'Strict');
      assert.notEqual(cookie.value, primary);
    }
    assert.equal(await ui.page.evaluate(() => document.cookie), '', 'page scripts cannot read the session');
  });

  it('stays signed in across a reload', async () => {
    await ui.page.reload();
    await ui.page.locator('.live-badge.live').waitFor();
    await ui.page.getByRole('button', { name: 'Sign out' }).waitFor();
    await ui.page.screenshot({ path: path.join(ARTIFACTS, 'signed-in.png') });
  });

  it('"Sign out" ends the session: the prompt again, and a reload stays signed out', async () => {
    await ui.page.getByRole('button', { name: 'Sign out' }).click();
    await ui.page.getByLabel('Primary key').waitFor();
    assert.deepEqual(await ui.page.context().cookies(), []);
    await ui.page.reload();
    await ui.page.getByLabel('Primary key').waitFor();
    await ui.page.screenshot({ path: path.join(ARTIFACTS, 'signed-out.png') });
  });

  it('a client key in the prompt is refused with a reason', async () => {
    const { key } = await ui.stack.agate.security.keys.create({ name: 'in-the-browser' });
    await ui.page.getByLabel('Primary key').fill(key);
    await ui.page.getByRole('button', { name: 'Sign in' }).click();
    await ui.page.getByRole('alert').waitFor();
    assert.match((await ui.page.getByRole('alert').textContent()) ?? '', /client key/);
    assert.deepEqual(await ui.page.context().cookies(), []);
  });

  it('ran without script errors or CSP violations', () => {
    assert.deepEqual(realProblems(), []);
  });
});
