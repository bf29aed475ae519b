/**
 * `agate providers …` as users run it: through the gateway that owns the data
 * dir (the change shows in its admin API at once), and directly when none runs.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEMO_PROVIDER, seedDemoAccount, seedDemoProvider, startSimulator, type Simulator } from '../../../src/simulator';
import { cleanEnv, ensureCliBuilt, runCli } from '../foundation/cli-process';
import { adminCall, startOwner, type Owner } from '../data-dir/owner';

const KEY = 'sk-ant-cli-provider-4242';

describe('providers: the CLI', () => {
  let simulator: Simulator;
  let tmp: string;
  let owner: Owner | undefined;
  const providers = (dataDir: string, args: string[], env: Record<string, string> = {}) =>
    runCli(['providers', ...args, '--data-dir', dataDir], cleanEnv(env), 60_000);

  before(async function () {
    this.timeout(120_000);
    ensureCliBuilt();
    simulator = await startSimulator();
    seedDemoAccount(simulator);
    simulator.addProviderKey({ provider: 'anthropic', key: KEY });
    simulator.addProviderKey({ provider: 'openai', key: 'sk-openai-cli-0001' });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'agate-providers-'));
  });
  afterEach(() => owner?.server.kill());
  after(async () => {
    await simulator?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('adds, lists, limits, disables and removes through the running gateway; the key stays out of every readable file', async function () {
    this.timeout(120_000);
    const dataDir = path.join(tmp, 'owned');
    owner = await startOwner(simulator.url, dataDir);
    const added = await providers(
      dataDir,
      [
        'add',
        'claude-paid',
        '--kind',
        'anthropic',
        '--base-url',
        `${simulator.url}/anthropic`,
        '--rpm',
        '20',
        '--daily-cap',
        '2.5',
        '--price',
        'claude-sonnet-4-6=3/15/0.3',
      ],
      { AGATE_PROVIDER_KEY: KEY },
    );
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /Added claude-paid .* anthropic .* key …4242/);
    assert.match(added.stdout, /models \(fetched\): .*claude-sonnet-4-6/);
    assert.match(added.stdout, /limits: 20 requests\/min, \$2.5\/day/);

    const seen = await adminCall<Array<{ name: string; limits: Record<string, number>; effectivePrices: Record<string, { source: string }> }>>(
      owner.url,
      'providers',
    );
    assert.deepEqual(
      seen.map((p) => p.name),
      ['claude-paid'],
    );
    assert.equal(seen[0].effectivePrices['claude-sonnet-4-6'].source, 'user');

    const disabled = await providers(dataDir, ['disable', 'claude-paid']);
    assert.equal(disabled.code, 0, disabled.stderr);
    assert.match(disabled.stdout, /disabled/);
    const listed = await providers(dataDir, ['list']);
    assert.match(listed.stdout, /claude-paid .* disabled/);
    assert.match(listed.stdout, /Default prices: vendor price pages/);

    for (const file of walk(dataDir)) assert.ok(!fs.readFileSync(file).includes(KEY), `${file} holds the key in the clear`);

    const removed = await providers(dataDir, ['remove', 'claude-paid']);
    assert.equal(removed.code, 0, removed.stderr);
    assert.deepEqual(await adminCall(owner.url, 'providers'), []);
  });

  it('agate demo shows a provider beside the demo account, and it answers', async function () {
    this.timeout(120_000);
    const demoSim = await startSimulator();
    try {
      seedDemoAccount(demoSim);
      seedDemoProvider(demoSim);
      owner = await startOwner(demoSim.url, path.join(tmp, 'demo'));
      await owner.server.waitFor(/API-key provider beside the account: demo-anthropic/, 30_000);
      const listed = await adminCall<Array<{ name: string; kind: string; models: string[] }>>(owner.url, 'providers');
      assert.deepEqual(
        listed.map((p) => [p.name, p.kind]),
        [[DEMO_PROVIDER.name, 'anthropic']],
      );
      const answer = await fetch(`${owner.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
        body: JSON.stringify({ model: 'demo-anthropic:claude-sonnet-4-6', max_tokens: 100, messages: [{ role: 'user', content: 'Hi provider' }] }),
      });
      const body = (await answer.json()) as { content: Array<{ text: string }> };
      assert.equal(answer.status, 200, JSON.stringify(body));
      assert.equal(body.content[0].text, 'Hello from claude-sonnet-4-6. You said: Hi provider');
      assert.equal(demoSim.log.at(-1)!.label, 'anthropic');
    } finally {
      owner?.server.kill();
      await demoSim.close();
    }
  });

  it('works without a running gateway, and says what is wrong in one line', async function () {
    this.timeout(120_000);
    const dataDir = path.join(tmp, 'direct');
    const noKey = await providers(dataDir, ['add', 'x', '--kind', 'anthropic']);
    assert.equal(noKey.code, 2);
    assert.match(noKey.stderr, /no key: set AGATE_PROVIDER_KEY/);
    const badKind = await providers(dataDir, ['add', 'x', '--kind', 'mistral'], { AGATE_PROVIDER_KEY: KEY });
    assert.match(badKind.stderr, /--kind must be one of anthropic, gemini-api, openai-compatible/);
    const rejected = await providers(dataDir, ['add', 'x', '--kind', 'anthropic', '--base-url', `${simulator.url}/anthropic`], {
      AGATE_PROVIDER_KEY: 'sk-ant-nope',
    });
    assert.equal(rejected.code, 1);
    assert.match(rejected.stderr, /key rejected by .*invalid x-api-key/);
    assert.doesNotMatch(rejected.stderr, /\n\s+at /);

    const added = await providers(
      dataDir,
      ['add', 'openai', '--kind', 'openai-compatible', '--base-url', `${simulator.url}/openai/v1`, '--key-env', 'MY_KEY'],
      {
        MY_KEY: 'sk-openai-cli-0001',
      },
    );
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /gpt-4o/);
    const set = await providers(dataDir, ['set', 'openai', '--tokens-per-day', '100000', '--models', 'gpt-4o,gpt-4o-mini']);
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /models \(listed\): gpt-4o, gpt-4o-mini/);
    assert.match(set.stdout, /100000 tokens\/day/);
    const listed = await providers(dataDir, ['list']);
    assert.match(listed.stdout, /openai .* openai-compatible/);
  });
});

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    return entry.isDirectory() ? walk(file) : [file];
  });
}
