// The .vsix as users get it: `npm run package` builds it, it holds the bundled extension and nothing of the
// development tree, code-server's `--install-extension` accepts it, and the installed copy (not this folder)
// passes the extension-host smoke tests (those whose titles say "(smoke)").
//
//   npx mocha --no-config -r tsx/cjs --extension ts --exit --timeout 600000 test/vscode/vsix.test.ts
// (the last step of `npm run test:vscode`; it rebuilds dist/ in production mode)
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const projectRoot = path.resolve(__dirname, '../..');
const manifest = JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { publisher: string; name: string; version: string };
const vsix = path.join(projectRoot, `${manifest.name}-${manifest.version}.vsix`);
/**
 * Above today's ~1 MB (the extension bundle, the side bundles of undici, ajv, ioredis and sql.js, SQLite's
 * WebAssembly): a regression that ships sources, maps or node_modules is several MB more.
 */
const MAX_VSIX_BYTES = 2 * 1024 * 1024;

describe('the packaged .vsix', () => {
  let entries: string[];
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agate-vsix-'));
  before(() => {
    execFileSync('npm', ['run', 'package'], { cwd: projectRoot, stdio: ['ignore', 'ignore', 'inherit'] });
    entries = execFileSync('unzip', ['-Z1', vsix], { encoding: 'utf8' }).trim().split('\n');
  });
  after(() => fs.rmSync(stateDir, { recursive: true, force: true }));

  it('holds the bundled extension and what the editor shows, nothing of the development tree', () => {
    for (const needed of [
      'extension/package.json',
      'extension/dist/extension.js',
      'extension/media/icon.png',
      'extension/media/walkthrough/start.md',
      // SQLite as WebAssembly and the deferred-switch helper (the Antigravity IDE account switch).
      'extension/dist/sql-wasm.wasm',
      'extension/dist/ide-helper.js',
      // Packages required from beside the bundle on first use (scripts/lean-bundle-plugins.mjs: SIDE_BUNDLES).
      'extension/dist/undici.js',
      'extension/dist/ajv.js',
      'extension/dist/ioredis.js',
      'extension/dist/sql-js.js',
    ]) {
      assert.ok(entries.includes(needed), `${needed} is missing from the .vsix`);
    }
    const strays = entries.filter((entry) => /^extension\/(src|test|node_modules|scripts|webview-ui)\/|\.map$|\.ts$/.test(entry));
    assert.deepEqual(strays, []);
    const size = fs.statSync(vsix).size;
    console.log(`      ${path.basename(vsix)}: ${(size / 1024).toFixed(0)} KB, ${entries.length} files`);
    assert.ok(size < MAX_VSIX_BYTES, `${size} bytes`);
  });

  it("ships the user's README (installation, commands, settings), not the developer README", () => {
    const packaged = execFileSync('unzip', ['-p', vsix, 'extension/readme.md'], { encoding: 'utf8' });
    assert.equal(packaged, fs.readFileSync(path.join(projectRoot, 'README.vsix.md'), 'utf8'));
    assert.equal(entries.filter((entry) => /^extension\/readme\.md$/i.test(entry)).length, 1);
  });

  it('is accepted by code-server --install-extension, and the installed copy passes the smoke tests', () => {
    const entry = execFileSync('bash', [path.join(projectRoot, 'scripts/setup-code-server.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
      .trim()
      .split('\n')
      .at(-1)!;
    const extensionsDir = path.join(stateDir, 'extensions');
    execFileSync(
      process.execPath,
      [entry, '--user-data-dir', path.join(stateDir, 'user-data'), '--extensions-dir', extensionsDir, '--install-extension', vsix],
      { env: { ...process.env, XDG_DATA_HOME: path.join(stateDir, 'xdg') }, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    const installed = path.join(extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`);
    assert.ok(fs.existsSync(path.join(installed, 'dist', 'extension.js')), `not installed in ${installed}`);

    // The tests themselves come from this tree (test/vscode/build-tests.mjs); the extension from the install.
    execFileSync(process.execPath, [path.join(projectRoot, 'test/vscode/build-tests.mjs')], { stdio: 'ignore' });
    const run = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(projectRoot, 'test/vscode/run-in-code-server.ts'),
        '--extension',
        installed,
        '--grep',
        '(smoke)',
        '--artifacts',
        path.join(projectRoot, '.test-artifacts', 'vsix'),
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const summary = run.stdout.split('\n').find((line) => line.startsWith('vscode: '));
    console.log(`      installed extension: ${summary}`);
    assert.equal(run.status, 0, run.stdout.slice(-4000));
    assert.match(summary ?? '', /^vscode: [1-9]\d* passed, 0 failed/);
  });
});
