// Bundles the extension-host test suite for VS Code to load through `extensionTestsPath`:
// test/vscode/suite/index.ts (with mocha inside it) and every test/vscode/suite/**/*.test.ts, each to its own
// CommonJS file under dist/test/vscode/suite/, where the index finds the tests at run time.
// `vscode` stays external: the extension host supplies it.
//
//   node test/vscode/build-tests.mjs          (or import { buildVscodeTests } from esbuild.mjs)
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * @param {{ suiteDir?: string, outdir?: string }} [options] absolute folders; default to the project's
 *   test/vscode/suite and dist/test/vscode/suite.
 * @returns {Promise<string>} the absolute path of the bundled index, to pass as `extensionTestsPath`.
 */
export async function buildVscodeTests(options = {}) {
  const suiteDir = options.suiteDir ?? path.join(projectRoot, 'test/vscode/suite');
  const outdir = options.outdir ?? path.join(projectRoot, 'dist/test/vscode/suite');
  const testFiles = fs
    .readdirSync(suiteDir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.ts'))
    .map((file) => path.join(suiteDir, file));
  // Stale bundles of deleted tests would still be found and run by the index.
  fs.rmSync(outdir, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: [path.join(suiteDir, 'index.ts'), ...testFiles],
    outbase: suiteDir,
    outdir,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external: ['vscode'],
    // For debuggers attached to a desktop run. Failure stacks name the bundled lines regardless: the extension
    // host installs its own Error.prepareStackTrace, which bypasses Node's source-map support.
    sourcemap: 'linked',
    logLevel: 'warning',
    // Only mocha's parallel mode (unused here: the extension host is one process) resolves those files.
    logOverride: { 'require-resolve-not-external': 'silent' },
  });
  return path.join(outdir, 'index.js');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(await buildVscodeTests());
}
