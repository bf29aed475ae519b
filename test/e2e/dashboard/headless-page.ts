// Headless Debian Chromium for the dashboard browser tests: one page, with every script error and CSP
// violation it reports collected for the tests to assert on; and the hooks of a suite that drives it against an
// in-process gateway.
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startStack, type Stack, type StackOptions } from '../../helpers/stack';
import { dashboardBundle } from './bundle';

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = path.resolve('.test-artifacts/dashboard');

export interface HeadlessPage {
  browser: Browser;
  page: Page;
  /** Console errors (CSP violations among them) and uncaught page errors, in order. */
  problems: string[];
}

export async function openHeadlessPage(): Promise<HeadlessPage> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
  page.on('pageerror', (err) => problems.push(err.message));
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return { browser, page, problems };
}

/** A browser suite's gateway and page; the fields are set once the suite's `before` hook has run. */
export interface DashboardInBrowser extends HeadlessPage {
  stack: Stack;
  /** A full-page screenshot in the artifacts folder, `<name>.png`. */
  shoot(name: string): Promise<Buffer>;
}

/**
 * The setup the browser suites on an in-process gateway share, registered as the calling suite's hooks: before
 * all (skipped where the Debian Chromium is missing), a stack serving the dashboard bundle and a headless page;
 * after all, both closed.
 */
export function dashboardInBrowser(options: StackOptions = {}): DashboardInBrowser {
  const suite = {
    shoot: (name: string) => suite.page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true }),
  } as DashboardInBrowser;
  before(async function () {
    if (!fs.existsSync(CHROMIUM)) this.skip();
    suite.stack = await startStack({ ...options, host: { ...options.host, dashboardDir: await dashboardBundle() } });
    Object.assign(suite, await openHeadlessPage());
  });
  after(async () => {
    await suite.browser?.close();
    await suite.stack?.close();
  });
  return suite;
}
