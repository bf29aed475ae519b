// Opens code-server's workbench in Debian's headless Chromium and listens on the two hooks VS Code's web
// workbench calls when it runs extension tests: `codeAutomationLog(level, message)` for each log line
// (extension-host console output included) and `codeAutomationExit(code, logs)` when the test run ends.
import * as fs from 'node:fs';
import { chromium, type Page } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox', // the tests run as root in CI
  '--disable-gpu',
  '--disable-dev-shm-usage',
  // Without these Chromium keeps dialing Google's services, which this machine's closed network refuses.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface WorkbenchOptions {
  url: string;
  /** Receives every workbench log line as the page reports it: the arguments of the console call that made it. */
  onLog(level: string, message: unknown[]): void;
  /** The page's own console messages and uncaught errors go here (they are not test output). */
  consoleLogFile: string;
  launchTimeoutMs: number;
  /** The browser's language (navigator.language), e.g. `zh-CN`; default Chromium's. */
  locale?: string;
}

/** A log file of the VS Code session, relative to its logs folder (e.g. `exthost/exthost.log`). */
export interface WorkbenchLogFile {
  relativePath: string;
  contents: string;
}

export interface TestRunEnd {
  code: number;
  logs: WorkbenchLogFile[];
}

export interface Workbench {
  /** Settles when the workbench reports the end of the test run, or rejects if the page dies first. */
  ended: Promise<TestRunEnd>;
  screenshot(file: string): Promise<void>;
  /** The rendered text (innerText) of every element matching the CSS selector; `window`: one opened by `openWindow`. */
  texts(selector: string, window?: number): Promise<string[]>;
  /** Opens another workbench page (another window, with its own extension host) on `url`; resolves with its number. */
  openWindow(url: string): Promise<number>;
  /** Closes a window opened by `openWindow` the way a user closes a tab (its unload handlers run). */
  closeWindow(window: number): Promise<void>;
  close(): Promise<void>;
}

export async function openWorkbench(options: WorkbenchOptions): Promise<Workbench> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: options.launchTimeoutMs,
    // The runner stops the browser itself, after saving what it needs, in its own cleanup order.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  try {
    // Clipboard permissions: the extension's "Copy …" commands write through the page's clipboard in code-server.
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, ...(options.locale ? { locale: options.locale } : {}) });
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    const page = await context.newPage();
    let end!: { resolve(value: TestRunEnd): void; reject(error: Error): void };
    const ended = new Promise<TestRunEnd>((resolve, reject) => (end = { resolve, reject }));
    // Keep a rejection that nobody awaits yet from crashing the runner; callers still see it through `ended`.
    ended.catch(() => undefined);
    page.once('crash', () => end.reject(new Error('the workbench page crashed')));
    browser.once('disconnected', () => end.reject(new Error('Chromium exited before the tests ended')));
    await page.exposeFunction('codeAutomationExit', (code: number, logs: WorkbenchLogFile[] | undefined) => end.resolve({ code, logs: logs ?? [] }));
    await page.exposeFunction('codeAutomationLog', (level: string, message: unknown[]) => options.onLog(level, message));
    recordConsole(page, options.consoleLogFile);
    await page.goto(options.url, { waitUntil: 'domcontentloaded', timeout: options.launchTimeoutMs });
    const windows = new Map<number, Page>();
    const pageOf = (window: number | undefined): Page => {
      if (window === undefined) return page;
      const other = windows.get(window);
      if (!other) throw new Error(`no window ${window}`);
      return other;
    };
    return {
      ended,
      screenshot: (file) => screenshot(page, file),
      // Every frame: webviews (the dashboard) render in nested iframes of the workbench.
      // A webview frame torn down meanwhile (an editor closing) has no text, which is not the probe's failure.
      texts: async (selector, window) => {
        const target = pageOf(window);
        return (
          await Promise.all(
            target.frames().map((frame) => {
              const texts = frame.locator(selector).allInnerTexts();
              return frame === target.mainFrame() ? texts : texts.catch(() => []);
            }),
          )
        ).flat();
      },
      openWindow: async (url) => {
        const other = await context.newPage();
        // A "leave the page?" prompt would keep the tab open: closing means closing.
        other.on('dialog', (dialog) => void dialog.accept());
        recordConsole(other, options.consoleLogFile);
        await other.goto(url, { waitUntil: 'domcontentloaded', timeout: options.launchTimeoutMs });
        const id = windows.size + 1;
        windows.set(id, other);
        return id;
      },
      closeWindow: async (window) => {
        await pageOf(window).close({ runBeforeUnload: true });
        windows.delete(window);
      },
      close: () => browser.close(),
    };
  } catch (error) {
    await browser.close();
    throw error;
  }
}

function recordConsole(page: Page, file: string): void {
  const out = fs.createWriteStream(file, { flags: 'a' });
  page.on('console', (message) => out.write(`[${message.type()}] ${message.text()}\n`));
  page.on('pageerror', (error) => out.write(`[pageerror] ${error.stack ?? error.message}\n`));
  page.once('close', () => out.end());
}

async function screenshot(page: Page, file: string): Promise<void> {
  // Let the workbench paint whatever the test just did (an editor opening, a webview rendering).
  await page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))));
  await page.screenshot({ path: file });
}
