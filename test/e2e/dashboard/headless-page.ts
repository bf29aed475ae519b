// Headless Debian Chromium for the dashboard browser tests: one page, with every script error and CSP
// violation it reports collected for the tests to assert on.
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

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
