// One esbuild call per bundle (CommonJS for Node and the extension host; ESM for the webview).
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import { buildVscodeTests } from './test/vscode/build-tests.mjs';
import { createRequire } from 'node:module';
import {
  CLI_SIDE_BUNDLES,
  cliSideBundles,
  koaWebBodiesOnDemand,
  packagesBesideTheBundle,
  SIDE_BUNDLES,
  standaloneAdminParamsValidators,
  standaloneConfigValidator,
  webMimeTypes,
} from './scripts/lean-bundle-plugins.mjs';

const resolvePackage = createRequire(import.meta.url).resolve;

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** Native or heavyweight modules resolved at run time rather than bundled. */
const nodeExternals = ['vscode', '@napi-rs/keyring', 'playwright-core'];

const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  external: nodeExternals,
  logLevel: 'warning',
  legalComments: 'none',
  // Less to build at start-up: see scripts/lean-bundle-plugins.mjs.
  plugins: [standaloneConfigValidator, standaloneAdminParamsValidators, webMimeTypes, koaWebBodiesOnDemand, packagesBesideTheBundle],
};

const bundles = [
  { ...node, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js' },
  { ...node, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' }, plugins: [...node.plugins, cliSideBundles] },
  // Agate's code the CLI requires from beside it when a command runs it (scripts/lean-bundle-plugins.mjs: CLI_SIDE_BUNDLES).
  ...Object.entries(CLI_SIDE_BUNDLES).map(([source, file]) => ({ ...node, entryPoints: [source], outfile: `dist/${file}` })),
  // The detached helper that switches the Antigravity IDE's account once the IDE has quit (core/ide/deferred.ts).
  { ...node, entryPoints: ['src/cli/ide-helper.ts'], outfile: 'dist/ide-helper.js' },
  // undici, ajv, ioredis and sql.js, which the bundles above require from beside them on first use (scripts/lean-bundle-plugins.mjs).
  ...Object.entries(SIDE_BUNDLES).map(([name, file]) => ({ ...node, plugins: [], entryPoints: [resolvePackage(name)], outfile: `dist/${file}` })),
  {
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'esm',
    sourcemap: !production,
    minify: production,
    entryPoints: ['webview-ui/main.ts'],
    outdir: 'dist/webview',
    loader: { '.css': 'css' },
    logLevel: 'warning',
  },
  // The dashboard's webview is built once its sources exist.
].filter((options) => options.entryPoints.every((entry) => fs.existsSync(entry)));

/**
 * esbuild escapes non-ASCII characters in strings but keeps them in comments and regular expression
 * literals, and a few of those make V8 hold the whole 2.4 MB bundle as a two-byte string: 2.4 MB more RSS
 * in the editor's process and in `agate serve`. Each UTF-16 unit left becomes a `\uXXXX` escape, which
 * means the same character in a string, a template or a regular expression, and is only text in a comment.
 */
function asciiOnly(file) {
  const source = fs.readFileSync(file, 'utf8');
  const ascii = source.replace(/[^\x00-\x7f]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (ascii !== source) fs.writeFileSync(file, ascii);
}

if (watch) {
  for (const options of bundles) await (await esbuild.context(options)).watch();
} else {
  await Promise.all(bundles.map((options) => esbuild.build(options)));
  for (const options of bundles) if (options.platform === 'node') asciiOnly(options.outfile);
  // sql.js (the IDE state database) loads its WebAssembly from beside the bundle: a .vsix ships no node_modules.
  fs.copyFileSync('node_modules/sql.js/dist/sql-wasm.wasm', 'dist/sql-wasm.wasm');
  // The extension-host suite (test/vscode), for `npm run test:vscode`; a .vsix needs none of it.
  if (!production) await buildVscodeTests();
  if (fs.existsSync('dist/cli.js')) fs.chmodSync('dist/cli.js', 0o755);
}
