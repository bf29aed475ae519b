// Runs the extension-host test suite inside code-server, driven by headless Chromium, on machines that cannot
// download VS Code (CI here). Exits with the suite's own exit code.
//
//   npx tsx test/vscode/run-in-code-server.ts [--extension <dir>] [--tests <index.js>] [--workspace <dir>]
//                                             [--grep <pattern>] [--timeout <seconds>] [--artifacts <dir>]
//                                             [--locale <language>]
//
// --extension  folder of the extension under test (default: the project root; an unpacked .vsix works too)
// --tests      bundled test entry (default: dist/test/vscode/suite/index.js, from test/vscode/build-tests.mjs)
// --workspace  folder to open (default: a new empty folder, removed afterwards)
// --grep       run only the tests whose full title matches
// --timeout    bound on the whole run once code-server is installed (default 300)
// --artifacts  where screenshots and logs go (default: .test-artifacts/)
// --locale     the workbench's display language, e.g. zh-cn (code-server's --locale; default English)
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { format, parseArgs } from 'node:util';
import { freePort } from '../helpers/free-port';
import { GREP_ENV, SCREENSHOT_URL_ENV, TLS_FIXTURES_ENV } from './harness-env';
import { CleanupStack } from './runner/cleanup-stack';
import { serverLogsDir, startCodeServer } from './runner/code-server';
import { startScreenshotEndpoint } from './runner/screenshot-endpoint';
import { openWorkbench, type Workbench, type WorkbenchLogFile } from './runner/workbench';

const projectRoot = path.resolve(__dirname, '../..');
const TLS_FIXTURES = path.join(projectRoot, 'test/vscode/fixtures/tls');

interface RunOptions {
  extension: string;
  tests: string;
  workspace: string | undefined;
  grep: string | undefined;
  timeoutMs: number;
  artifacts: string;
  locale: string | undefined;
}

function parseOptions(): RunOptions {
  const { values } = parseArgs({
    options: {
      extension: { type: 'string', default: projectRoot },
      tests: { type: 'string', default: path.join(projectRoot, 'dist/test/vscode/suite/index.js') },
      workspace: { type: 'string' },
      grep: { type: 'string' },
      timeout: { type: 'string', default: '300' },
      artifacts: { type: 'string', default: path.join(projectRoot, '.test-artifacts') },
      locale: { type: 'string' },
    },
  });
  const timeoutSec = Number(values.timeout);
  if (!(timeoutSec > 0)) throw new Error(`--timeout must be a positive number of seconds, got ${values.timeout}`);
  const options = {
    extension: path.resolve(values.extension),
    tests: path.resolve(values.tests),
    workspace: values.workspace === undefined ? undefined : path.resolve(values.workspace),
    grep: values.grep,
    timeoutMs: timeoutSec * 1000,
    artifacts: path.resolve(values.artifacts),
    locale: values.locale,
  };
  if (!fs.existsSync(path.join(options.extension, 'package.json'))) {
    throw new Error(`${options.extension} is not an extension folder (it has no package.json)`);
  }
  if (!fs.existsSync(options.tests)) {
    throw new Error(`${options.tests} does not exist; build it with: node test/vscode/build-tests.mjs`);
  }
  if (options.workspace !== undefined && !fs.statSync(options.workspace).isDirectory()) {
    throw new Error(`--workspace ${options.workspace} is not a folder`);
  }
  return options;
}

/** Installs code-server on first use (a no-op taking milliseconds afterwards) and returns its entry script. */
function codeServerEntry(): string {
  const output = execFileSync('bash', [path.join(projectRoot, 'scripts/setup-code-server.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return output.trim().split('\n').at(-1)!;
}

/**
 * The workbench URL that makes VS Code load the extension under development and run the tests. Both paths
 * are `vscode-remote://` URIs: they name files on the server's machine, which is this one.
 */
function testRunUrl(origin: string, authority: string, options: RunOptions, workspace: string, withTests = true): string {
  const remote = (file: string) => `vscode-remote://${authority}${file}`;
  const payload = [['extensionDevelopmentPath', remote(options.extension)], ...(withTests ? [['extensionTestsPath', remote(options.tests)]] : [])];
  const query = new URLSearchParams({ folder: workspace, payload: JSON.stringify(payload) });
  return `${origin}/?${query}`;
}

/**
 * The workbench starts in a display language only with a language pack for it, which the closed network cannot
 * download: test/vscode/fixtures/language-pack-<locale> is one without translations (the workbench's own words stay
 * English; the extension's are its own nls and l10n files), packaged here with vsce.
 */
function languagePack(locale: string, stateDir: string): string[] {
  const fixture = path.join(projectRoot, 'test/vscode/fixtures', `language-pack-${locale.toLowerCase()}`);
  if (!fs.existsSync(fixture)) return [];
  const vsix = path.join(stateDir, `language-pack-${locale}.vsix`);
  execFileSync(path.join(projectRoot, 'node_modules/.bin/vsce'), ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '-o', vsix], {
    cwd: fixture,
    stdio: 'ignore',
  });
  return [vsix];
}

function log(message: string): void {
  console.log(`[vscode-test] ${message}`);
}

/** Writes the log files the workbench hands over with its exit code (its own and the web worker's). */
function saveWorkbenchLogs(folder: string, logs: WorkbenchLogFile[]): void {
  for (const { relativePath, contents } of logs) {
    const file = path.resolve(folder, relativePath);
    if (!file.startsWith(folder + path.sep)) continue;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, contents);
  }
}

async function run(options: RunOptions, cleanups: CleanupStack): Promise<number> {
  const entry = codeServerEntry();
  const started = Date.now();
  const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  const deadline = started + options.timeoutMs;

  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agate-vscode-test-'));
  cleanups.add(() => fs.rmSync(stateDir, { recursive: true, force: true }));
  const workspace = options.workspace ?? path.join(stateDir, 'workspace');
  fs.mkdirSync(workspace, { recursive: true });
  // Logs of this run only; screenshots sit beside the folder, named by the tests.
  const logsDir = path.join(options.artifacts, 'vscode-logs');
  fs.rmSync(logsDir, { recursive: true, force: true });
  fs.mkdirSync(logsDir, { recursive: true });

  let workbench: Workbench | undefined;
  let serverAddress: { origin: string; authority: string } | undefined;
  const screenshot = async (name: string) => {
    if (!workbench) throw new Error('the workbench is not open');
    const file = path.join(options.artifacts, `${name}.png`);
    await workbench.screenshot(file);
    log(`screenshot ${file}`);
    return file;
  };
  // For the runner's own pictures of a run gone wrong: a page too stuck to capture must not hide why.
  const screenshotIfPossible = (name: string) => screenshot(name).catch((error: unknown) => log(`no ${name} screenshot: ${String(error)}`));
  const endpoint = await startScreenshotEndpoint({
    capture: screenshot,
    texts: (selector, window) => {
      if (!workbench) throw new Error('the workbench is not open');
      return workbench.texts(selector, window);
    },
    // A second window: another folder (so another extension host), the extension under development, no tests.
    openWindow: () => {
      if (!workbench || !serverAddress) throw new Error('the workbench is not open');
      const folder = fs.mkdtempSync(path.join(stateDir, 'second-window-'));
      return workbench.openWindow(testRunUrl(serverAddress.origin, serverAddress.authority, options, folder, false));
    },
    closeWindow: (window) => {
      if (!workbench) throw new Error('the workbench is not open');
      return workbench.closeWindow(window);
    },
  });
  cleanups.add(() => endpoint.close());

  // Runs after the server has stopped (cleanups run in reverse), when its logs are complete.
  cleanups.add(() => {
    const serverLogs = serverLogsDir(stateDir);
    if (fs.existsSync(serverLogs)) fs.cpSync(serverLogs, path.join(logsDir, 'server'), { recursive: true });
  });
  const server = await startCodeServer({
    entry,
    stateDir,
    env: {
      ...process.env,
      [SCREENSHOT_URL_ENV]: endpoint.url,
      [TLS_FIXTURES_ENV]: TLS_FIXTURES,
      NODE_EXTRA_CA_CERTS: path.join(TLS_FIXTURES, 'ca.pem'),
      ...(options.grep === undefined ? {} : { [GREP_ENV]: options.grep }),
    },
    logFile: path.join(logsDir, 'code-server.log'),
    // The gateway under test starts with the workbench (agate.autoStart): on a free port, not on 8045, where a
    // gateway of the person running the tests may already listen.
    userSettings: { 'agate.port': await freePort() },
    // The simulator's stand-in for Google's consent page, which the sign-in test opens (suite/support/fixture.ts).
    trustedDomains: ['http://127.0.0.2:*'],
    ...(options.locale ? { locale: options.locale, installExtensions: languagePack(options.locale, stateDir) } : {}),
    startTimeoutMs: deadline - Date.now(),
  });
  cleanups.add(() => server.stop());
  serverAddress = { origin: server.origin, authority: server.authority };
  log(`code-server is up at ${server.origin} after ${seconds()}`);

  workbench = await openWorkbench({
    url: testRunUrl(server.origin, server.authority, options, workspace),
    // Each line arrives as the arguments of the console call that made it (mocha's reporter uses formats).
    onLog: (_level, message) => console.log(Array.isArray(message) ? format(...message) : String(message)),
    consoleLogFile: path.join(logsDir, 'browser-console.log'),
    launchTimeoutMs: deadline - Date.now(),
    ...(options.locale ? { locale: options.locale } : {}),
  });
  const opened = workbench;
  cleanups.add(() => opened.close());

  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), deadline - Date.now());
  });
  const serverGone = server.exited.then(() => 'server exited' as const);
  const end = await Promise.race([workbench.ended, timedOut, serverGone]).finally(() => clearTimeout(timer));
  if (end === 'timeout') {
    log(`no result after ${seconds()}: timed out (--timeout ${options.timeoutMs / 1000})`);
    await screenshotIfPossible('vscode-timeout');
    return 1;
  }
  if (end === 'server exited') {
    log(`code-server exited during the run, after ${seconds()}; see ${path.join(logsDir, 'code-server.log')}`);
    await screenshotIfPossible('vscode-server-exited');
    return 1;
  }
  saveWorkbenchLogs(path.join(logsDir, 'workbench'), end.logs);
  if (end.code !== 0) await screenshotIfPossible('vscode-failure');
  log(`tests exited with code ${end.code} after ${seconds()}; logs in ${logsDir}`);
  return end.code;
}

async function main(): Promise<void> {
  const cleanups = new CleanupStack((error) => log(`cleanup failed: ${String(error)}`));
  let interruptedBy: NodeJS.Signals | undefined;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      interruptedBy = signal;
      log(`${signal}: stopping`);
      void cleanups.unwind().finally(() => process.exit(128 + os.constants.signals[signal]));
    });
  }
  let code: number;
  try {
    code = await run(parseOptions(), cleanups);
  } catch (error) {
    // After a signal, whatever failed did so because the cleanup pulled it down: not worth a stack.
    if (!interruptedBy) log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    code = 1;
  }
  await cleanups.unwind();
  process.exit(interruptedBy ? 128 + os.constants.signals[interruptedBy] : code);
}

void main();
