// What `agate demo` prints: what it is and how to steer it, a health line and a key hint that work in strict
// mode, and one access-log line per request (text, JSON, or none with --quiet).
import assert from 'node:assert/strict';
import { CliServer, cleanEnv, ensureCliBuilt, runCli } from './cli-process';

/** Runs the printed `curl -H 'authorization: Bearer K' URL/healthz` (or the bare one) with fetch. */
async function runHealthLine(line: string): Promise<number> {
  const url = /(http:\/\/\S+\/healthz)/.exec(line)![1];
  const bearer = /'authorization: Bearer ([^']+)'/.exec(line)?.[1];
  return (await fetch(url, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} })).status;
}

async function ask(baseUrl: string, key: string, text: string): Promise<number> {
  const response = await fetch(`${baseUrl}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': key },
    body: JSON.stringify({ model: 'claude-sonnet-4-5-20250929', max_tokens: 32, messages: [{ role: 'user', content: text }] }),
  });
  await response.text();
  return response.status;
}

describe('CLI: what agate demo prints', function () {
  this.timeout(60_000);
  before(() => ensureCliBuilt());

  describe('strict auth, text access log', () => {
    let demo: CliServer;
    let baseUrl: string;
    let key: string;
    before(async () => {
      demo = CliServer.start(['demo', '--port', '0', '--set', 'authMode=strict']);
      baseUrl = (await demo.waitFor(/Agate is listening on (\S+)/))[1];
      key = (await demo.waitFor(/ANTHROPIC_API_KEY=(\S+)/))[1];
    });
    after(() => demo.stop());

    it('says the answers come from the simulator, how to trigger tool calls and faults, and what differs', () => {
      assert.match(demo.stdout, /answers come from its built-in upstream simulator/);
      assert.match(demo.stdout, /\[\[sim:call NAME/);
      assert.match(demo.stdout, /\[\[sim:fault KIND\]\].*rate_limited/s);
      assert.match(demo.stdout, /Unlike the real service/);
    });

    it('prints a health line that works although strict mode closes /healthz to callers without a key', async () => {
      const line = (await demo.waitFor(/^ {2}Health {10}(.*)$/m))[1];
      assert.equal(await runHealthLine(line), 200);
      assert.equal((await fetch(`${baseUrl}/healthz`)).status, 401, 'strict mode: no key, no health');
    });

    it('its "agate keys primary" hint prints the key the demo uses', async () => {
      const hint = (await demo.waitFor(/\("(agate keys primary[^"]*)" prints it again\)/))[1];
      const args = hint.split(' ').slice(1);
      const run = await runCli(args);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout.trim(), key);
    });

    it('prints one line per request: time, protocol, client → upstream model, masked account, status, latency, tokens', async () => {
      assert.equal(await ask(baseUrl, key, 'hello there'), 200);
      const line = (await demo.waitFor(/^\d\d:\d\d:\d\d anthropic claude-sonnet-4-5-20250929 → \S+ .*$/m))[0];
      assert.match(line, / de\*\*\*@agate\.local 200 \d+ ms in \d+ out \d+$/);
      assert.doesNotMatch(line, /demo@agate\.local/);
    });

    it('a rejected request gets its line too, with the reason', async () => {
      assert.equal(await ask(baseUrl, 'sk-wrong', 'hi'), 401);
      const line = (await demo.waitFor(/^\d\d:\d\d:\d\d anthropic .* 401 .*$/m))[0];
      assert.match(line, /— Invalid API key/);
    });
  });

  it('--log-format json prints one JSON object per request', async () => {
    const demo = CliServer.start(['demo', '--port', '0', '--log-format', 'json']);
    try {
      const baseUrl = (await demo.waitFor(/Agate is listening on (\S+)/))[1];
      assert.equal(await ask(baseUrl, 'any', 'json please'), 200);
      const line = (await demo.waitFor(/^\{"time".*$/m))[0];
      const entry = JSON.parse(line) as Record<string, unknown>;
      assert.equal(entry.protocol, 'anthropic');
      assert.equal(entry.clientModel, 'claude-sonnet-4-5-20250929');
      assert.equal(entry.account, 'de***@agate.local');
      assert.equal(entry.status, 200);
      assert.equal(typeof entry.latencyMs, 'number');
      assert.equal(typeof entry.outputTokens, 'number');
    } finally {
      await demo.stop();
    }
  });

  it('--quiet prints no line per request', async () => {
    const demo = CliServer.start(['demo', '--port', '0', '--quiet']);
    try {
      const baseUrl = (await demo.waitFor(/Agate is listening on (\S+)/))[1];
      assert.equal(await ask(baseUrl, 'any', 'quiet please'), 200);
      // The request is in the monitor (so its line would have been printed by now) — and not on stdout.
      const records = await fetch(`${baseUrl}/admin/api/requests`).then((r) => r.json() as Promise<{ records: unknown[] }>);
      assert.equal(records.records.length, 1);
      assert.doesNotMatch(demo.stdout, /^\d\d:\d\d:\d\d anthropic/m);
    } finally {
      await demo.stop();
    }
  });

  it('a bad --log-format names the flag and the allowed values', async () => {
    const run = await runCli(['demo', '--log-format', 'xml'], cleanEnv());
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--log-format must be one of text, json \(got "xml"\)/);
  });
});
