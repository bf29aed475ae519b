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

let cli: Promise<string> | undefined;

/**
 * `agate` built from the sources as dist/cli.js is, beside the dashboard it serves (`webview/`). Inside the
 * project, so that the externals (the keychain module) resolve from node_modules as they do for dist/.
 */
export function cliBundle(): Promise<string> {
  cli ??= (async () => {
    const outdir = path.resolve('.test-artifacts/dashboard-build');
    fs.rmSync(outdir, { recursive: true, force: true });
    await esbuild.build({
      entryPoints: [path.resolve('src/cli/main.ts')],
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      outfile: path.join(outdir, 'cli.js'),
      external: ['vscode', '@napi-rs/keyring', 'playwright-core'],
      logLevel: 'warning',
    });
    fs.cpSync(await dashboardBundle(), path.join(outdir, 'webview'), { recursive: true });
    return path.join(outdir, 'cli.js');
  })();
  return cli;
}
