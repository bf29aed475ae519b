/** Builds the dashboard bundle (webview-ui) into a temporary folder, so the tests serve the sources they run with. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';

let built: Promise<string> | undefined;

/** The folder holding main.js and main.css; built once per test run. */
export function dashboardBundle(): Promise<string> {
  built ??= (async () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'agate-dashboard-'));
    await esbuild.build({
      entryPoints: [path.resolve('webview-ui/main.ts')],
      bundle: true,
      platform: 'browser',
      target: 'es2022',
      format: 'esm',
      outdir,
      loader: { '.css': 'css' },
      logLevel: 'warning',
    });
    return outdir;
  })();
  return built;
}
