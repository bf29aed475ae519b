// Starts code-server (installed by scripts/setup-code-server.sh) for one test run and stops it with every
// process it spawned: its wrapper child, the extension host, the pty host and the file watcher.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface CodeServerOptions {
  /** Absolute path of code-server's `out/node/entry.js`. */
  entry: string;
  /** Folder for the server's user data, extensions, config and logs; the caller creates and removes it. */
  stateDir: string;
  /** Environment for the server, inherited by the extension host that runs the tests. */
  env: NodeJS.ProcessEnv;
  /** The server's stdout and stderr are appended here. */
  logFile: string;
  /** User settings on top of the quiet defaults below (e.g. the port the extension under test listens on). */
  userSettings?: Record<string, unknown>;
  /**
   * Origins `env.openExternal` may open without asking (code-server's --link-protection-trusted-domains, e.g.
   * `http://127.0.0.2:*`): under tests the workbench refuses to show the "open external website?" dialog.
   */
  /** The workbench's display language (code-server's --locale), e.g. `zh-cn`; default the server's. */
  locale?: string;
  /** .vsix files installed into the session's extensions folder before the server starts (a language pack). */
  installExtensions?: string[];
  trustedDomains?: string[];
  startTimeoutMs: number;
}

export interface CodeServer {
  /** e.g. `http://127.0.0.1:41234` (no trailing slash). */
  origin: string;
  /** `127.0.0.1:<port>`: the authority of `vscode-remote://` URIs for files on this server. */
  authority: string;
  /** Settles when the server process has exited and its output is drained, stop() or not. */
  exited: Promise<void>;
  stop(): Promise<void>;
}

// code-server prints this once its HTTP server is bound; asking it for port 0 and reading the port back
// avoids the race of picking a free port first and binding it later.
const LISTENING = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)/;

// User settings for a test session: nothing that waits on the network (which is closed here) and no
// welcome page covering the editor area in screenshots.
const TEST_SETTINGS = {
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'workbench.enableExperiments': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
};

/** Where the server's own logs (extension host, remote agent) are, under `stateDir`. */
export function serverLogsDir(stateDir: string): string {
  return path.join(stateDir, 'user-data', 'logs');
}

/**
 * The server picks a display language only from languagepacks.json in its user data, which the editor writes when
 * a language pack is installed from the running workbench, not by --install-extension: written here from the
 * installed packs' manifests, in the editor's format.
 */
function writeLanguagePacks(extensionsDir: string, userDataDir: string): void {
  const packs: Record<string, unknown> = {};
  for (const folder of fs.readdirSync(extensionsDir, { withFileTypes: true }).filter((entry) => entry.isDirectory())) {
    const root = path.join(extensionsDir, folder.name);
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      publisher: string;
      name: string;
      version: string;
      contributes?: { localizations?: Array<{ languageId: string; localizedLanguageName?: string; translations: Array<{ id: string; path: string }> }> };
    };
    for (const localization of manifest.contributes?.localizations ?? []) {
      packs[localization.languageId] = {
        hash: `${manifest.publisher}.${manifest.name}-${manifest.version}`,
        extensions: [{ extensionIdentifier: { id: `${manifest.publisher}.${manifest.name}` }, version: manifest.version }],
        translations: Object.fromEntries(localization.translations.map((translation) => [translation.id, path.join(root, translation.path)])),
        label: localization.localizedLanguageName ?? localization.languageId,
      };
    }
  }
  fs.writeFileSync(path.join(userDataDir, 'languagepacks.json'), JSON.stringify(packs));
}

export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  const dir = (name: string) => path.join(options.stateDir, name);
  fs.mkdirSync(dir('user-data/User'), { recursive: true });
  fs.writeFileSync(dir('user-data/User/settings.json'), JSON.stringify({ ...TEST_SETTINGS, ...options.userSettings }, null, 2));
  for (const vsix of options.installExtensions ?? []) {
    execFileSync(process.execPath, [options.entry, '--extensions-dir', dir('extensions'), '--user-data-dir', dir('user-data'), '--install-extension', vsix], {
      stdio: 'ignore',
      env: { ...options.env, XDG_DATA_HOME: dir('xdg-data'), EXTENSIONS_GALLERY: '{}' },
    });
  }
  if (options.installExtensions?.length) writeLanguagePacks(dir('extensions'), dir('user-data'));
  const log = fs.openSync(options.logFile, 'a');
  const server = spawn(
    process.execPath,
    [
      options.entry,
      '--auth',
      'none',
      '--bind-addr',
      '127.0.0.1:0',
      '--disable-telemetry',
      '--disable-update-check',
      // Otherwise the workbench asks whether to trust the test workspace, and extensions stay restricted.
      '--disable-workspace-trust',
      '--config',
      dir('config.yaml'),
      '--user-data-dir',
      dir('user-data'),
      '--extensions-dir',
      dir('extensions'),
      ...(options.trustedDomains ?? []).flatMap((domain) => ['--link-protection-trusted-domains', domain]),
      ...(options.locale ? ['--locale', options.locale] : []),
    ],
    {
      env: {
        ...options.env,
        // code-server keeps its own logs under $XDG_DATA_HOME/code-server; keep them out of the user's home.
        XDG_DATA_HOME: dir('xdg-data'),
        // No extension gallery (code-server's default is open-vsx.org): otherwise the workbench looks the
        // extension under development up there at start and logs the failed lookup on this closed network.
        EXTENSIONS_GALLERY: '{}',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so that stop() reaches the processes code-server forks.
      detached: true,
    },
  );
  // 'close' rather than 'exit': it comes after the output pipes are drained, so the log can be closed.
  const closed = new Promise<void>((resolve) => server.once('close', () => resolve()));

  const stop = async () => {
    signalGroup(server.pid, 'SIGTERM');
    await Promise.race([closed, delay(5_000)]);
    // The extension host may outlive the server process by a moment; whatever is left goes now.
    signalGroup(server.pid, 'SIGKILL');
    await Promise.race([closed, delay(5_000)]);
    server.stdout.destroy();
    server.stderr.destroy();
    fs.closeSync(log);
  };

  try {
    const origin = await new Promise<string>((resolve, reject) => {
      let output = '';
      const onData = (chunk: Buffer) => {
        fs.writeSync(log, chunk);
        output += chunk.toString('utf8');
        const match = LISTENING.exec(output);
        if (match) resolve(match[1]);
      };
      server.stdout.on('data', onData);
      server.stderr.on('data', onData);
      server.once('exit', (code, signal) => reject(new Error(`code-server exited (${signal ?? code}) before listening; see ${options.logFile}`)));
      delay(options.startTimeoutMs).then(() => reject(new Error(`code-server did not listen within ${options.startTimeoutMs} ms; see ${options.logFile}`)));
    });
    await waitForHealth(origin, options.startTimeoutMs);
    return { origin, authority: new URL(origin).host, exited: closed, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function waitForHealth(origin: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(`${origin}/healthz`);
      if (response.ok) return;
    } catch {
      // Not accepting connections yet.
    }
    if (Date.now() > deadline) throw new Error(`code-server at ${origin} was not healthy within ${timeoutMs} ms`);
    await delay(250);
  }
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
