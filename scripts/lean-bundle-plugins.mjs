// esbuild plugins for the Node bundles (dist/cli.js, dist/extension.js) that keep start-up from building what a
// running gateway does not use. Each one was measured on the idle RSS of `agate serve` (bench/idle-rss.mjs).
import * as esbuild from 'esbuild';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

/** An ajv with the module's own options that keeps the source of what it compiles (for its standalone code). */
function sourceAjv(options) {
  const Ajv = require('ajv').default;
  return new Ajv({ ...options, code: { ...options.code, source: true } });
}

/**
 * The module that replaces a validators module in the bundle: ajv's standalone code for `compiled` (a validate
 * function, or refs by name), as `generated`, then `exportsLine`. Minified: ajv's code is deeply indented and spelled
 * out (the config validator: 180 KB as generated, 67 KB minified), and every start parses it; the same statements,
 * so the same checks and errors.
 */
async function standaloneModule(file, ajv, compiled, exportsLine) {
  const standaloneCode = require('ajv/dist/standalone').default;
  const generated = (await esbuild.transform(standaloneCode(ajv, compiled), { minify: true })).code;
  return {
    contents: `const generated = (() => {\nconst module = { exports: {} };\nconst exports = module.exports;\n${generated}\nreturn module.exports;\n})();\n${exportsLine}\n`,
    loader: 'js',
    resolveDir: path.dirname(file),
  };
}

/**
 * The configuration validator generated at build time (ajv's standalone code) instead of compiled by ajv at every
 * start: the same schema and options (src/core/config/config-validator.ts, whose exports are read here from that
 * module itself), so the same checks and the same errors. Compiling at start-up cost about 10 MB of RSS.
 */
export const standaloneConfigValidator = {
  name: 'standalone-config-validator',
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/]core[\\/]config[\\/]config-validator\.ts$/ }, async (args) => {
      const { CONFIG_AJV_OPTIONS, configSchema } = await evaluateModule(args.path);
      const ajv = sourceAjv(CONFIG_AJV_OPTIONS);
      return standaloneModule(args.path, ajv, ajv.compile(configSchema), 'exports.configValidator = () => generated;');
    });
  },
};

/**
 * The admin calls' parameter validators generated at build time (ajv's standalone code) instead of compiled by ajv
 * at the first admin call: the same schemas and options (src/core/admin/params-validators.ts, whose exports are read
 * here from that module itself), so the same checks, coercions, defaults and errors. params-check.ts requires the
 * module on the first call, so a gateway without admin calls initialises none of it.
 */
export const standaloneAdminParamsValidators = {
  name: 'standalone-admin-params-validators',
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/]core[\\/]admin[\\/]params-validators\.ts$/ }, async (args) => {
      const { ADMIN_CALLS, ADMIN_AJV_OPTIONS } = await evaluateModule(args.path);
      const ajv = sourceAjv(ADMIN_AJV_OPTIONS);
      const refs = {};
      for (const [method, call] of Object.entries(ADMIN_CALLS)) {
        ajv.addSchema(call.params, `admin-params:${method}`);
        refs[method] = `admin-params:${method}`;
      }
      return standaloneModule(args.path, ajv, refs, 'exports.adminParamsValidator = (method) => generated[method];');
    });
  },
};

/** A TypeScript module's exports, bundled and run here (for the schemas the validators above are generated from). */
async function evaluateModule(file) {
  const built = await esbuild.build({
    entryPoints: [file],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    external: ['ajv'],
    logLevel: 'warning',
  });
  const module = { exports: {} };
  new Function('module', 'exports', 'require', built.outputFiles[0].text)(module, module.exports, require);
  return module.exports;
}

/** Koa's files and, in each, the type tests asked of every body, with the same test asked only of what can pass it. */
const KOA_WEB_BODY_TESTS = {
  'response.js': ['val instanceof ReadableStream', 'val instanceof Response'],
  'application.js': ['body instanceof ReadableStream', 'body instanceof Response'],
};
const WEB_BODY_METHODS = { ReadableStream: 'getReader', Response: 'arrayBuffer' };

/**
 * Koa asks every response body that is not a string, a buffer or a Node stream (the gateway's JSON objects)
 * whether it is a web `ReadableStream` or a fetch `Response`. Reading those globals loads Node's web streams and
 * its fetch implementation (undici, which compiles its WebAssembly HTTP parser): ≈ 6 MB of RSS from the first
 * request on, in a gateway that never makes either. The same tests, asked only of objects that have the class's
 * own method (`getReader`, `arrayBuffer`), as every instance does: a JSON object is answered without the globals.
 */
export const koaWebBodiesOnDemand = {
  name: 'koa-web-bodies-on-demand',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/]koa[\\/]lib[\\/](response|application)\.js$/ }, async (args) => {
      const fs = await import('node:fs');
      let source = await fs.promises.readFile(args.path, 'utf8');
      for (const test of KOA_WEB_BODY_TESTS[path.basename(args.path)]) {
        // A koa that words these tests otherwise must be looked at again, not bundled as it is.
        if (source.split(test).length !== 2) throw new Error(`${args.path}: expected "${test}" once (scripts/lean-bundle-plugins.mjs)`);
        const [value, , type] = test.split(' ');
        source = source.replace(test, `(typeof ${value}.${WEB_BODY_METHODS[type]} === 'function' && ${test})`);
      }
      return { contents: source, loader: 'js' };
    });
  },
};

/** File extensions whose types the bundles keep from mime-db. */
const WEB_EXTENSIONS = new Set(
  'html htm js mjs cjs css json map txt md csv tsv xml svg png jpg jpeg gif webp avif ico woff woff2 ttf otf wasm pdf zip gz yaml yml jsonl ndjson bin mp3 mp4 wav ogg webm'.split(
    ' ',
  ),
);

/**
 * mime-db reduced to the types with a charset and those of common web files. Koa loads it (two copies: accepts
 * has its own) and indexes all 2,500 types at start-up, about 10 MB of RSS; the gateway names its content types
 * in full (JSON, SSE, HTML, CSV) and only needs short names like `json`, `html` and `bin` resolved.
 */
export const webMimeTypes = {
  name: 'web-mime-types',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/]mime-db[\\/]db\.json$/ }, async (args) => {
      const db = JSON.parse(await import('node:fs').then((fs) => fs.promises.readFile(args.path, 'utf8')));
      const kept = Object.fromEntries(
        Object.entries(db).filter(
          ([type, entry]) =>
            entry.charset || type === 'application/octet-stream' || (entry.extensions ?? []).some((extension) => WEB_EXTENSIONS.has(extension)),
        ),
      );
      return { contents: JSON.stringify(kept), loader: 'json' };
    });
  },
};

/**
 * Packages in their own file beside the bundle (built by esbuild.mjs from this table), required on first use:
 * parsing them as part of the bundle at every start costs RSS a gateway at idle never uses (≈ 2 MB per MB of
 * source). undici: only an explicit upstream proxy and media downloads load it (src/core/undici.ts); its
 * relative path also keeps it out of VS Code's `undici` patch, as bundling it did. ajv: clients' JSON Schemas
 * and admin parameters, checked on first use (the config validator is generated at build time, above).
 * ioredis: team mode only. sql.js: the Antigravity IDE switch only.
 */
export const SIDE_BUNDLES = { undici: 'undici.js', ajv: 'ajv.js', ioredis: 'ioredis.js', 'sql.js': 'sql-js.js' };

/**
 * Agate's own code in its own file beside dist/cli.js, required where a command runs it, so that `agate serve`
 * neither parses nor initialises it: the upstream simulator (`simulate`, and `demo` without `--simulator`; it
 * imports nothing but Node) and the commands that manage a data dir or the machine (src/cli/tools.ts: the whole
 * CLI for them, which main.ts hands the command line to). Keyed by the source module a `require()` names.
 */
export const CLI_SIDE_BUNDLES = { 'src/simulator/index.ts': 'simulator.js', 'src/cli/tools.ts': 'cli-tools.js' };

/** A `require()` of a module in CLI_SIDE_BUNDLES resolved to its file beside the bundle. */
export const cliSideBundles = {
  name: 'cli-side-bundles',
  setup(build) {
    // The table's paths are the repository's, wherever the build runs from.
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
    build.onResolve({ filter: /^\.\.?\// }, ({ path: request, resolveDir, kind }) => {
      if (kind !== 'require-call') return undefined;
      const base = path.relative(root, path.join(resolveDir, request)).split(path.sep).join('/');
      const file = CLI_SIDE_BUNDLES[`${base}.ts`] ?? CLI_SIDE_BUNDLES[`${base}/index.ts`];
      return file ? { path: `./${file}`, external: true } : undefined;
    });
  },
};

export const packagesBesideTheBundle = {
  name: 'packages-beside-the-bundle',
  setup(build) {
    build.onResolve({ filter: /^(undici|ajv|ioredis|sql\.js)$/ }, ({ path }) => ({ path: `./${SIDE_BUNDLES[path]}`, external: true }));
  },
};
