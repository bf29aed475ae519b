// The dashboard in headless Chromium against `agate demo` run as a child process (auth strict): it loads from the
// URL the demo prints, shows the demo account's quota bars, a request shows up in the live monitor within a second,
// the charts draw, and the API Proxy panel creates a client key that then works against /v1/messages, saves an
// alias that works at once, and saves a port that waits for a restart — all without script errors or CSP violations.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import type { Browser, Page } from 'playwright-core';
import { cliBundle } from './bundle';
import { ARTIFACTS, CHROMIUM, openHeadlessPage } from './headless-page';

interface Demo {
  child: ChildProcess;
  baseUrl: string;
  dashboardUrl: string;
  output: () => string;
}

/** Starts `agate demo` and reads the base and dashboard URLs it prints. */
async function startDemo(cli: string, dataDir: string): Promise<Demo> {
  // Port and auth mode from the data dir's config.json, not from flags: a flag would override the dashboard's edits.
  fs.writeFileSync(path.join(dataDir, 'config.json'), JSON.stringify({ port: 0, authMode: 'strict' }));
  const child = spawn(process.execPath, [cli, 'demo', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, AGATE_LOG_LEVEL: 'warn' },
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`agate demo printed no dashboard URL:\n${stdout}\n${stderr}`)), 15_000);
    child.once('exit', (code) => reject(new Error(`agate demo exited with ${code}:\n${stdout}\n${stderr}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk;
      const dashboard = /^Dashboard: (\S+)$/m.exec(stdout);
      const listening = /^Agate is listening on (\S+)$/m.exec(stdout);
      if (dashboard && listening) {
        clearTimeout(timer);
        resolve({ child, baseUrl: listening[1], dashboardUrl: dashboard[1], output: () => stdout + stderr });
      }
    });
  });
}

describe('dashboard: in a browser against agate demo', function () {
  this.timeout(60_000);
  let demo: Demo;
  let dataDir: string;
  let browser: Browser;
  let page: Page;
  let primary: string;
  let problems: string[];

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) this.skip();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agate-demo-browser-'));
    demo = await startDemo(await cliBundle(), dataDir);
    primary = new URL(demo.dashboardUrl).searchParams.get('key') ?? '';
    ({ browser, page, problems } = await openHeadlessPage());
  });
  after(async () => {
    await browser?.close();
    if (demo && demo.child.exitCode === null) {
      const exited = new Promise((resolve) => demo.child.once('exit', resolve));
      demo.child.kill('SIGTERM');
      await exited;
    }
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const shoot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

  it('prints the dashboard URL with the key, since auth is on', () => {
    assert.equal(new URL(demo.dashboardUrl).pathname, '/dashboard');
    assert.match(primary, /^sk-agate-/);
  });

  it('loads and shows the demo account with quota bars', async () => {
    await page.goto(demo.dashboardUrl);
    // The overview is the first tab; the cards are one tab over.
    await page.getByRole('tab', { name: 'Accounts' }).click();
    const card = page.locator('[data-account]').first();
    await card.waitFor();
    assert.match((await card.textContent()) ?? '', /demo@agate\.local/);
    const meters = card.locator('[role="meter"]');
    assert.ok((await meters.count()) > 0, 'quota bars');
    assert.match((await meters.first().getAttribute('aria-valuetext')) ?? '', /^\d+%$/);
    await page.locator('.live-badge.live').waitFor();
    await shoot('demo-accounts');
  });

  it('shows a request made through the gateway in the live monitor within a second', async () => {
    await page.getByRole('tab', { name: 'Live monitor' }).click();
    const response = await fetch(`${demo.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${primary}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gemini-3-flash', messages: [{ role: 'user', content: 'live in the demo' }] }),
    });
    assert.equal(response.status, 200);
    await response.text();
    await page.locator(`tr[data-request="${response.headers.get('x-request-id')}"]`).waitFor({ timeout: 1000 });
    await shoot('demo-monitor');
  });

  it('draws the stats charts after traffic', async () => {
    await page.getByRole('tab', { name: 'Token stats' }).click();
    await page.locator('.overview dd').first().waitFor();
    const inked = await page
      .locator('canvas')
      .first()
      .evaluate((canvas: HTMLCanvasElement) => {
        const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
        let painted = 0;
        for (let at = 3; at < data.length; at += 4) if (data[at] > 0) painted++;
        return painted;
      });
    assert.ok(inked > 1000, `painted pixels: ${inked}`);
    await shoot('demo-stats');
  });

  it('creates a client key in the API Proxy panel that then works against /v1/messages', async () => {
    await page.getByRole('tab', { name: 'API Proxy' }).click();
    await page.locator('[data-gateway-state="running"]').waitFor();
    await page.locator('#key-name input').fill('browser-made');
    await page.locator('[data-action="create-key"]').click();
    const key = (await page.locator('[data-issued-key]').textContent())?.trim() ?? '';
    assert.match(key, /^sk-agate-/);
    await page.locator('tr[data-key]', { hasText: 'browser-made' }).waitFor();

    const anthropic = new Anthropic({ baseURL: demo.baseUrl, apiKey: key, maxRetries: 0 });
    const message = await anthropic.messages.create({ model: 'gemini-3-flash', max_tokens: 64, messages: [{ role: 'user', content: 'hello with a new key' }] });
    assert.equal(message.type, 'message');
    const refused = new Anthropic({ baseURL: demo.baseUrl, apiKey: 'sk-agate-not-a-key', maxRetries: 0 });
    await assert.rejects(refused.messages.create({ model: 'gemini-3-flash', max_tokens: 8, messages: [{ role: 'user', content: 'no' }] }), { status: 401 });
    await shoot('demo-proxy-key');
  });

  it('saves an alias that works at once, into the data dir config file', async () => {
    await page.getByRole('button', { name: 'Add alias' }).click();
    await page.locator('#alias-from-0 input').fill('my-team-model');
    await page.locator('#alias-to-0 input').fill('gemini-3-flash');
    await page.locator('[data-action="save-aliases"]').click();
    await page.getByText('Model aliases saved and in force').waitFor({ state: 'attached' });
    const saved = JSON.parse(fs.readFileSync(path.join(dataDir, 'config.json'), 'utf8'));
    assert.deepEqual(saved, { port: 0, authMode: 'strict', models: { aliases: { 'my-team-model': 'gemini-3-flash' } } });
    const anthropic = new Anthropic({ baseURL: demo.baseUrl, apiKey: primary, maxRetries: 0 });
    const message = await anthropic.messages.create({ model: 'my-team-model', max_tokens: 64, messages: [{ role: 'user', content: 'through my alias' }] });
    assert.equal(message.type, 'message');
  });

  it("orders a group's models by keyboard, and says a port change waits for a restart", async () => {
    await page.getByRole('button', { name: 'Add group' }).click();
    await page.locator('#group-name-0 input').fill('fast');
    await page.locator('#group-0-model-0 input').fill('gemini-3-flash');
    await page.getByRole('button', { name: 'Add model' }).click();
    await page.locator('#group-0-model-1 input').fill('gemini-2.5-flash');
    // The buttons were named when the row was added, before the model was typed in.
    await page.getByRole('button', { name: 'Move model 2 up' }).focus();
    await page.keyboard.press('Enter');
    assert.equal(await page.locator('#group-0-model-0').evaluate((field: HTMLElement & { value: string }) => field.value), 'gemini-2.5-flash');
    assert.equal(
      await page.evaluate(() => document.activeElement?.getAttribute('aria-label')),
      'Move gemini-2.5-flash down',
      'the focus stays on the moved model',
    );
    await page.locator('[data-action="save-groups"]').click();
    await page.getByText('Model groups saved and in force').waitFor({ state: 'attached' });
    const saved = JSON.parse(fs.readFileSync(path.join(dataDir, 'config.json'), 'utf8'));
    assert.deepEqual(saved.models.groups, { fast: { strategy: 'ordered', models: ['gemini-2.5-flash', 'gemini-3-flash'] } });

    const port = String(Number(new URL(demo.baseUrl).port) + 1);
    await page.locator('#proxy-port input').fill(port);
    await page.locator('[data-action="save-gateway"]').click();
    await page.locator('.pending', { hasText: `Port: ${port}` }).waitFor();
    // The server keeps its address until it restarts.
    assert.equal((await fetch(`${demo.baseUrl}/healthz`, { headers: { authorization: `Bearer ${primary}` } })).status, 200);
    await shoot('demo-proxy');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shoot('demo-proxy-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('answers an invalid setting with a 400 naming the key', async () => {
    const response = await fetch(`${demo.baseUrl}/admin/api/settings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${primary}`, 'content-type': 'application/json' },
      body: JSON.stringify({ changes: { 'scheduling.mode': 'fastest' } }),
    });
    assert.equal(response.status, 400);
    const body = (await response.json()) as { error: { message: string; param?: string } };
    assert.match(body.error.message, /scheduling\.mode/);
  });

  it('ran without script errors or CSP violations', () => {
    assert.deepEqual(problems, []);
  });
});
