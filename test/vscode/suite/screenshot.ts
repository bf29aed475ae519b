// Lets an extension-host test ask the runner (test/vscode/run-in-code-server.ts) for a screenshot of the
// workbench. The runner passes the address of its loopback screenshot endpoint in SCREENSHOT_URL_ENV and
// answers only once the PNG is written, so the test knows the picture shows the state it had when it asked.
import { SCREENSHOT_URL_ENV } from '../harness-env';

/**
 * Saves a PNG of the whole workbench page (webviews included) as `.test-artifacts/<name>.png` and returns its
 * absolute path; `name` may hold letters, digits, `.`, `_` and `-`. Returns undefined when the tests run
 * without the code-server runner (desktop VS Code through @vscode/test-cli), which has no browser to capture.
 */
export async function saveScreenshot(name: string): Promise<string | undefined> {
  const url = process.env[SCREENSHOT_URL_ENV];
  if (!url) return undefined;
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  if (!response.ok) throw new Error(`screenshot "${name}" failed: ${response.status} ${await response.text()}`);
  const { path } = (await response.json()) as { path: string };
  return path;
}
