// A team gateway instead of the editor's own: "Use a Team Gateway…" checks the URL and client key against another
// Agate (a whole core with its own simulator, started here), keeps the key in SecretStorage only, stops this
// editor's gateway, points the Claude Code terminal at the team gateway and shows its pool quota in the status
// bar; "Stop Using the Team Gateway" brings the editor's own gateway back. Driven by the command's arguments, as
// the other suites drive their prompts.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { REMOTE_GATEWAY_KEY_SECRET } from '../../../src/vscode/remote-gateway';
import { statusMenuItems } from '../../../src/vscode/status-menu';
import { TEAM_REDIS_SECRET } from '../../../src/vscode/team-redis';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server';
import { startStack, type Stack } from '../../helpers/stack';
import { agateFixture, setSetting, settings, waitFor, waitForRunning, type Fixture } from './support/fixture';

const MEMBER = {
  email: 'grace@team.example.com',
  refreshToken: '1//vscode-team-refresh-grace-0123456789',
  tier: 'g1-pro-tier',
  quota: { 'claude-sonnet-4-6': 0.42, 'gemini-3-flash': 0.9 },
};

/** A Messages API request to the team gateway with a key, as Claude Code sends it. */
function askTeam(baseUrl: string, key: string): Promise<Response> {
  return fetch(`${baseUrl}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', authorization: `Bearer ${key}` },
    body: JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 32, messages: [{ role: 'user', content: 'hello team' }] }),
  });
}

describe('Team gateway', () => {
  let fixture: Fixture;
  let team: Stack;
  let clientKey: string;
  let ownUrl: string;

  before(async () => {
    fixture = await agateFixture();
    ownUrl = await waitForRunning(fixture.testing);
    // Each request spends 12% of the model's quota, so a request moves what the status bar shows.
    team = await startStack({ accounts: [MEMBER], flags: { authMode: 'all_except_health' }, simulator: { quotaCostPerRequest: 0.12 } });
    ({ key: clientKey } = await team.agate.security.keys.create({ name: 'vscode-team-member' }));
    // The simulator gives the models an account's spec leaves out their full quota: watch the one the spec sets.
    await setSetting('statusBar.model', 'claude-sonnet-4-6');
  });

  after(async () => {
    if (settings().get<string>('remoteGateway')) await vscode.commands.executeCommand('agate.stopUsingTeamGateway');
    await setSetting('statusBar.model', undefined);
    await team?.close();
  });

  it('refuses a key the team gateway does not accept, and changes nothing', async () => {
    const used = await vscode.commands.executeCommand<boolean>('agate.useTeamGateway', { url: team.url, key: 'sk-agate-not-a-member' });
    assert.equal(used, false);
    assert.equal(settings().get<string>('remoteGateway'), '');
    assert.equal(await fixture.testing.readSecret(REMOTE_GATEWAY_KEY_SECRET), undefined);
    assert.equal(fixture.testing.gateway.state.kind, 'running');
  });

  it('uses the team gateway: own gateway stopped, key in SecretStorage only, status bar shows the team quota', async () => {
    const used = await vscode.commands.executeCommand<boolean>('agate.useTeamGateway', { url: `${team.url}/`, key: clientKey });
    assert.equal(used, true);
    assert.equal(settings().get<string>('remoteGateway'), team.url, 'stored without the trailing slash');
    assert.equal(await fixture.testing.readSecret(REMOTE_GATEWAY_KEY_SECRET), clientKey);

    assert.equal(fixture.testing.gateway.state.kind, 'stopped');
    await assert.rejects(fetch(`${ownUrl}/healthz`), "this editor's own gateway no longer serves");

    const { statusBar } = fixture.testing;
    await waitFor('the status bar to show the team quota', () => statusBar.text.includes('42%'));
    assert.match(statusBar.text, /^\$\(cloud\) Agate 42%$/);
    assert.ok(statusBar.tooltip.includes(team.url), statusBar.tooltip);
    assert.match(statusBar.tooltip, /claude-sonnet-4-6 \| 42% \| 1 \|/);
    assert.ok(!statusBar.tooltip.includes(MEMBER.email), 'a client key reads no account identity');
    assert.equal(statusBar.warning, false);

    // The key is in no settings file (user settings live under the editor's user data dir).
    const userSettings = path.join(fixture.testing.globalStorageDir, '..', '..', 'settings.json');
    if (fs.existsSync(userSettings)) assert.ok(!fs.readFileSync(userSettings, 'utf8').includes(clientKey));
  });

  it('re-renders the status bar only when the team quota changes', async () => {
    const { statusBar, remoteGateway } = fixture.testing;
    let renders = 0;
    const counting = statusBar.onDidRender(() => renders++);
    try {
      await remoteGateway.reload();
      await remoteGateway.reload();
      assert.equal(renders, 0, 'two polls that find the same quota rewrite nothing');
      assert.equal((await askTeam(team.url, clientKey)).status, 200);
      await team.agate.pool.refreshQuota();
      await remoteGateway.reload();
      assert.equal(renders, 1);
      assert.match(statusBar.text, /Agate 30%$/);
    } finally {
      counting.dispose();
    }
  });

  it('points the Claude Code terminal at the team gateway with the client key, which the team gateway serves', async () => {
    const terminal = await vscode.commands.executeCommand<vscode.Terminal>('agate.openClaudeTerminal');
    try {
      const env = (terminal.creationOptions as vscode.TerminalOptions).env!;
      assert.equal(env.ANTHROPIC_BASE_URL, team.url);
      assert.equal(env.ANTHROPIC_AUTH_TOKEN, clientKey);
      assert.equal(fixture.testing.gateway.state.kind, 'stopped', 'opening the terminal did not start the own gateway');
      const answer = await askTeam(env.ANTHROPIC_BASE_URL!, env.ANTHROPIC_AUTH_TOKEN!);
      assert.equal(answer.status, 200, await answer.text());
    } finally {
      terminal?.dispose();
    }
  });

  it('copies the team URL and the team client key; Start, Open Dashboard and its Start button leave the own gateway stopped', async () => {
    assert.equal(await vscode.commands.executeCommand<string>('agate.copyBaseUrl'), team.url);
    assert.equal(await vscode.env.clipboard.readText(), team.url);
    await vscode.commands.executeCommand('agate.copyApiKey');
    assert.equal(await vscode.env.clipboard.readText(), clientKey);
    assert.deepEqual(await vscode.commands.executeCommand('agate.start'), { state: 'stopped' });
    assert.equal(fixture.testing.gateway.state.kind, 'stopped');
    // The dashboard opened here is the own gateway's (its accounts and settings); it does not start it.
    await vscode.commands.executeCommand('agate.openDashboard');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // The own dashboard's Start button (admin setRunning) is refused the same way.
    await (await fixture.testing.gateway.admin()).call('setRunning', { running: true });
    assert.equal(fixture.testing.gateway.state.kind, 'stopped');
  });

  it("offers the team gateway's entries in the status bar menu, not the own gateway's Start/Stop or account entries", () => {
    const items = statusMenuItems(fixture.testing.gateway, fixture.testing.remoteGateway);
    const commands = items.map((item) => item.command);
    assert.equal(items[0]!.description, team.url);
    assert.match(items[0]!.detail ?? '', /^\d+% left on claude-sonnet-4-6 · 1 of 1 accounts usable$/);
    for (const command of ['agate.stopUsingTeamGateway', 'agate.copyBaseUrl', 'agate.copyApiKey', 'agate.openClaudeTerminal', 'agate.connectClient']) {
      assert.ok(commands.includes(command), command);
    }
    for (const command of ['agate.start', 'agate.stop', 'agate.toggle', 'agate.manageAccounts', 'agate.addAccountGoogle']) {
      assert.ok(!commands.includes(command), command);
    }
  });

  it('stops using the team gateway: key gone, own gateway serving again, status bar back', async () => {
    await vscode.commands.executeCommand('agate.stopUsingTeamGateway');
    assert.equal(settings().get<string>('remoteGateway'), '');
    assert.equal(await fixture.testing.readSecret(REMOTE_GATEWAY_KEY_SECRET), undefined);
    await waitForRunning(fixture.testing);
    assert.equal((await fetch(`${fixture.api.baseUrl()}/healthz`)).status, 200);
    await waitFor('the status bar to show the own gateway', () => fixture.testing.statusBar.text.startsWith('$(radio-tower) Agate'));
    const commands = statusMenuItems(fixture.testing.gateway, fixture.testing.remoteGateway).map((item) => item.command);
    assert.deepEqual([commands.includes('agate.stop'), commands.includes('agate.stopUsingTeamGateway')], [true, false]);
    assert.equal(await vscode.commands.executeCommand<string>('agate.copyBaseUrl'), fixture.api.baseUrl());
  });
});

// Joining a team's Redis from the editor: the URL (it may carry a password) and the team secret go to
// SecretStorage, never to settings, and this editor's gateway is rebuilt in team mode on a real redis-server.
describe('Team Redis', () => {
  let fixture: Fixture;
  let redis: RedisServer;

  before(async () => {
    fixture = await agateFixture();
    redis = await startRedisServer();
  });

  after(async () => {
    if (await fixture.testing.readSecret(TEAM_REDIS_SECRET)) await vscode.commands.executeCommand('agate.leaveTeam');
    await redis?.stop();
  });

  const health = async () => (await (await fetch(`${fixture.api.baseUrl()}/healthz`)).json()) as { team?: { connected: boolean; redis: string } };

  it('joins: the gateway serves in team mode on the Redis, the URL and secret only in SecretStorage', async () => {
    assert.equal((await health()).team, undefined);
    const joined = await vscode.commands.executeCommand<boolean>('agate.joinTeam', {
      url: redis.url,
      secretKey: 'vscode-team-secret-0123456789',
      keyPrefix: 'agate-vscode-test:',
    });
    assert.equal(joined, true);
    await waitForRunning(fixture.testing);
    const team = (await health()).team;
    assert.equal(team?.connected, true);
    assert.equal(fixture.testing.gateway.configuration?.store.redis.url, redis.url);
    assert.match((await fixture.testing.readSecret(TEAM_REDIS_SECRET)) ?? '', /vscode-team-secret/);
    assert.equal(settings().has('store.redis.url'), false, 'not an editor setting');
    assert.equal(settings().inspect('store.redis.url')?.globalValue, undefined);
  });

  it('leaves: the secret is gone and the gateway runs on its own again', async () => {
    await vscode.commands.executeCommand('agate.leaveTeam');
    assert.equal(await fixture.testing.readSecret(TEAM_REDIS_SECRET), undefined);
    await waitForRunning(fixture.testing);
    assert.equal((await health()).team, undefined);
    assert.equal(fixture.testing.gateway.configuration?.store.redis.url, '');
  });
});
