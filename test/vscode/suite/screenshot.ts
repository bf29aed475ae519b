// Lets an extension-host test look at the workbench page through the runner (test/vscode/run-in-code-server.ts):
// save a screenshot, or read the text the page renders (the status bar, notifications, the walkthrough). The
// runner passes the origin of its loopback endpoint in SCREENSHOT_URL_ENV and answers a screenshot request only
// once the PNG is written, so the test knows the picture shows the state it had when it asked.
import { SCREENSHOT_URL_ENV } from '../harness-env';

function endpoint(): string | undefined {
  return process.env[SCREENSHOT_URL_ENV];
}

/** Whether the tests run under the code-server runner (desktop VS Code through @vscode/test-cli has no page to look at). */
export function canSeeWorkbench(): boolean {
  return endpoint() !== undefined;
}

async function post<T>(path: string, body: object): Promise<T> {
  const url = endpoint();
  if (!url) throw new Error('no workbench page to look at: the tests run without the code-server runner');
  const response = await fetch(url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path} ${JSON.stringify(body)} failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/**
 * Saves a PNG of the whole workbench page (webviews included) as `.test-artifacts/<name>.png` and returns its
 * absolute path; `name` may hold letters, digits, `.`, `_` and `-`. Returns undefined when the tests run
 * without the code-server runner (desktop VS Code through @vscode/test-cli), which has no browser to capture.
 */
export async function saveScreenshot(name: string): Promise<string | undefined> {
  if (!canSeeWorkbench()) return undefined;
  return (await post<{ path: string }>('/screenshot', { name })).path;
}

/** The rendered text of every element of the workbench page (or of another window) that matches the CSS selector. */
export async function workbenchTexts(selector: string, window?: number): Promise<string[]> {
  return (await post<{ texts: string[] }>('/text', window === undefined ? { selector } : { selector, window })).texts;
}

/** Opens a second window (another folder, so another extension host running the extension); resolves with its number. */
export async function openSecondWindow(): Promise<number> {
  return (await post<{ window: number }>('/window', { open: true })).window;
}

/** Closes a window opened by `openSecondWindow` as a user closes its tab. */
export async function closeWindow(window: number): Promise<void> {
  await post('/window', { close: window });
}
