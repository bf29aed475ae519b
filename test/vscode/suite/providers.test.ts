// API-key providers from the editor: "Add API Key Provider" puts the provider in the pool with its key in
// SecretStorage only (never settings or storage files), a request reaches it, and "Manage API Key Providers"
// disables, enables and removes it (the key leaves SecretStorage with it). Driven by the commands' arguments, as
// the account suites drive theirs; the prompts' path is shown to cancel cleanly.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { providerKeyName, type ProviderView } from '../../../src/core/providers/types';
import { agateFixture, waitFor, waitForRunning, type Fixture } from './support/fixture';

const KEY = 'sk-vscode-provider-test-4242';

/** Every file under `dir` whose bytes contain `needle`. */
function filesContaining(dir: string, needle: string): string[] {
  const hits: string[] = [];
  for (const entry of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const file = path.join(dir, entry);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      continue; // removed while listing (logs rotate, storage flushes)
    }
    if (stat.isFile() && stat.size < 50 * 1024 * 1024 && fs.readFileSync(file).includes(needle)) hits.push(file);
  }
  return hits;
}

describe('API key providers', () => {
  let fixture: Fixture;
  let added: ProviderView;

  before(async () => {
    fixture = await agateFixture();
    fixture.sim.addProviderKey({ provider: 'openai', key: KEY, name: 'vscode-openai' });
  });

  // The files after this one start from a pool without it.
  after(async () => {
    const { providers } = await fixture.testing.gateway.core();
    if (providers.find('vsc-openai')) await vscode.commands.executeCommand('agate.manageApiKeyProviders', { provider: 'vsc-openai', action: 'remove' });
  });

  it('adds a provider through the command: in the pool, its key in SecretStorage only, and a request reaches it', async () => {
    added = (await vscode.commands.executeCommand<ProviderView>('agate.addApiKeyProvider', {
      kind: 'openai-compatible',
      name: 'vsc-openai',
      key: KEY,
      baseUrl: `${fixture.sim.url}/openai/v1`,
    }))!;
    assert.equal(added?.name, 'vsc-openai');
    assert.ok(added.models.includes('gpt-4o'), 'its models came from the models endpoint');
    assert.equal(added.keyHint, '4242');
    const { providers } = await fixture.testing.gateway.core();
    assert.deepEqual(
      providers.list().map((provider) => provider.name),
      ['vsc-openai'],
    );

    assert.equal(await fixture.testing.readSecret(providerKeyName(added.id)), KEY);
    const userData = path.resolve(fixture.testing.globalStorageDir, '../../..');
    assert.ok(fs.existsSync(path.join(userData, 'User', 'settings.json')), `${userData} is not the user-data folder`);
    assert.deepEqual(filesContaining(userData, KEY), []);
    assert.ok(!JSON.stringify(vscode.workspace.getConfiguration('agate')).includes(KEY));

    const url = await waitForRunning(fixture.testing);
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer unused' },
      body: JSON.stringify({ model: 'vsc-openai:gpt-4o', messages: [{ role: 'user', content: 'Hi from VS Code' }] }),
    });
    const body = (await response.json()) as { choices: Array<{ message: { content: string } }> };
    assert.equal(response.status, 200);
    assert.equal(body.choices[0].message.content, 'Hello from gpt-4o. You said: Hi from VS Code');
    assert.equal(fixture.sim.log.at(-1)!.account, 'vscode-openai');
    const models = (await (await fetch(`${url}/v1/models`, { headers: { authorization: 'Bearer unused' } })).json()) as { data: Array<{ id: string }> };
    assert.ok(
      models.data.some((model) => model.id === 'vsc-openai:gpt-4o'),
      '/v1/models lists the provider model',
    );
  });

  it("a wrong key is refused with the provider's message and nothing is kept", async () => {
    const refused = await vscode.commands.executeCommand<ProviderView | undefined>('agate.addApiKeyProvider', {
      kind: 'openai-compatible',
      name: 'wrong',
      key: 'sk-nobody-knows-this-one',
      baseUrl: `${fixture.sim.url}/openai/v1`,
    });
    assert.equal(refused, undefined);
    const { providers } = await fixture.testing.gateway.core();
    assert.equal(providers.find('wrong'), undefined);
  });

  it('the prompts start with the kind of API and cancel cleanly', async () => {
    let settled = false;
    const running = vscode.commands.executeCommand<ProviderView | undefined>('agate.addApiKeyProvider');
    void Promise.resolve(running).finally(() => (settled = true));
    await waitFor(
      'the prompt to be dismissed',
      async () => {
        if (!settled) await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
        return settled;
      },
      30_000,
    );
    assert.equal(await running, undefined);
  });

  it('disables, enables and removes the provider through Manage API Key Providers', async () => {
    const manage = (action: string) => vscode.commands.executeCommand<ProviderView>('agate.manageApiKeyProviders', { provider: 'vsc-openai', action });
    assert.equal((await manage('disable'))?.enabled, false);
    const { providers } = await fixture.testing.gateway.core();
    assert.equal(providers.find('vsc-openai')?.enabled, false);
    assert.equal((await manage('enable'))?.enabled, true);
    await manage('remove');
    assert.equal(providers.find('vsc-openai'), undefined);
    assert.equal(await fixture.testing.readSecret(providerKeyName(added.id)), undefined);
  });
});
