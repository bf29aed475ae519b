import assert from 'node:assert/strict';
import * as esbuild from 'esbuild';
import type { Plugin } from 'esbuild';

/**
 * A source module as the bundles ship it: built with `plugin` (scripts/lean-bundle-plugins.mjs, which swaps
 * run-time ajv compiles for code generated at build time), checked to compile nothing at run time, and loaded.
 */
export async function bundledModule<Exports>(entry: string, plugin: Plugin): Promise<Exports> {
  const built = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    logLevel: 'error',
    plugins: [plugin],
  });
  const text = built.outputFiles[0]!.text;
  assert.doesNotMatch(text, /\.compile\(/, 'the bundled module compiles nothing at run time');
  const module = { exports: {} as Exports };
  new Function('module', 'exports', 'require', text)(module, module.exports, require);
  return module.exports;
}
