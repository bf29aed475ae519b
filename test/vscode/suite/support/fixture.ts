// The extension under test, pointed at an upstream simulator that the tests start inside the extension host.
// Every test file is its own bundle, so the one simulator and the settings that point at it are shared through
// a global: the first file that asks sets them up, the others reuse them.
import * as vscode from 'vscode';
import type { AgateExtensionApi, AgateTestingApi } from '../../../../src/extension';
import { startSimulator, type AccountSpec, type Simulator } from '../../../../src/simulator';
import { freePort } from '../../../helpers/free-port';

export { freePort };

export const EXTENSION_ID = 'agate.agate';

export const ADA: AccountSpec = {
  email: 'ada@example.com',
  refreshToken: '1//vscode-test-refresh-ada-0123456789',
  tier: 'g1-pro-tier',
  quota: { 'claude-opus-4-6-thinking': 0.8, 'claude-sonnet-4-6': 0.6 },
};

export interface Fixture {
  sim: Simulator;
  api: AgateExtensionApi;
  testing: AgateTestingApi;
}

const GLOBAL_KEY = Symbol.for('agate.vscodeTestFixture');

/** The extension's API, activating it when the startup activation has not happened yet. */
export async function extensionApi(): Promise<AgateExtensionApi> {
  const extension = vscode.extensions.getExtension<AgateExtensionApi>(EXTENSION_ID);
  if (!extension) throw new Error(`the extension ${EXTENSION_ID} is not loaded`);
  return extension.activate();
}

export function settings(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration('agate');
}

export async function setSetting(key: string, value: unknown): Promise<void> {
  await settings().update(key, value, vscode.ConfigurationTarget.Global);
}

/** Polls `probe` until it returns a value other than undefined/false; the message says what never happened. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Sets `upstream.hosts` and waits until the gateway runs with them (`what` names them in a timeout). */
export async function useUpstreamHosts(testing: AgateTestingApi, hosts: string[], what: string): Promise<void> {
  await setSetting('upstream.hosts', hosts);
  await waitFor(`the gateway to use ${what}`, () => testing.gateway.configuration?.upstream.hosts[0] === hosts[0]);
  await testing.gateway.settled();
  await waitForRunning(testing);
}

/** The gateway running on `port` (after a settings change has been applied). */
export function waitForRunning(testing: AgateTestingApi, port?: number): Promise<string> {
  return waitFor(`the gateway running${port ? ` on port ${port}` : ''}`, () => {
    const state = testing.gateway.state;
    return state.kind === 'running' && (port === undefined || state.port === port) && state.url;
  });
}

/**
 * Where the simulator listens. code-server's `env.openExternal` rewrites `localhost`/`127.0.0.1` addresses to its
 * port proxy (dropping their path), which would turn the simulator's consent page into a proxy root; on Linux
 * every 127.x address is loopback, and 127.0.0.2 is left alone, like Google's real sign-in page would be.
 */
const SIMULATOR_HOST = process.platform === 'linux' ? '127.0.0.2' : '127.0.0.1';

async function setUp(): Promise<Fixture> {
  const sim = await startSimulator({ host: SIMULATOR_HOST, config: { quotaCostPerRequest: 0 } });
  sim.addAccount(ADA);
  const api = await extensionApi();
  if (!api.testing) throw new Error('the extension did not expose its testing API: it is not running under tests');
  const port = await freePort();
  await setSetting('upstream.hosts', [`${sim.url}/daily`, `${sim.url}/prod`]);
  await setSetting('oauth.authorizeUrl', `${sim.url}/oauth/authorize`);
  await setSetting('oauth.tokenUrl', `${sim.url}/oauth/token`);
  await setSetting('oauth.userinfoUrl', `${sim.url}/oauth/userinfo`);
  await setSetting('port', port);
  await waitFor('the rebuilt gateway to use the simulator', () => {
    const config = api.testing!.gateway.configuration;
    return config?.upstream.hosts[0] === `${sim.url}/daily` && config.oauth.userinfoUrl.startsWith(sim.url) && config.port === port;
  });
  await api.testing.gateway.settled();
  await waitForRunning(api.testing, port);
  return { sim, api, testing: api.testing };
}

export function agateFixture(): Promise<Fixture> {
  const registry = globalThis as { [GLOBAL_KEY]?: Promise<Fixture> };
  return (registry[GLOBAL_KEY] ??= setUp());
}

/** A Messages API request through the gateway; resolves with the answer's text. */
export async function askThroughGateway(baseUrl: string, text: string, model = 'claude-sonnet-4-6'): Promise<string> {
  const response = await fetch(`${baseUrl}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ model, max_tokens: 64, messages: [{ role: 'user', content: text }] }),
  });
  const body = (await response.json()) as { content?: Array<{ type: string; text: string }>; error?: { message: string } };
  if (response.status !== 200) throw new Error(`${response.status}: ${body.error?.message ?? JSON.stringify(body)}`);
  return body.content?.map((part) => part.text).join('') ?? '';
}
