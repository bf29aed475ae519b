/**
 * Claude Code (the real CLI, only what `agate connect claude-code` wrote, no
 * --model: its default claude-opus-4-8) through an Anthropic API-key
 * provider: alone (provider-only: the request passes through, its body byte
 * for byte with the cache_control blocks, its anthropic-beta header
 * unchanged), and by spill-over when the accounts are exhausted, the monitor's
 * attempt trail saying why. A recording proxy between Claude Code and the
 * gateway keeps what Claude Code sent, to compare with what the provider got.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { connectedClientSuite } from '../../helpers/connect-home';
import { runProcess } from '../../helpers/run-process';

const CLAUDE = path.resolve(__dirname, '../../../node_modules/.bin/claude');
const PROVIDER_KEY = 'sk-ant-claude-code-0001';

interface ClaudeResult {
  is_error: boolean;
  api_error_status: number | null;
  result: string;
}

interface Sent {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Forwards everything to the gateway and keeps each request as it came. */
function recordingProxy(target: string, sent: Sent[]): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      sent.push({ path: req.url ?? '', headers: req.headers, body: body.toString('utf8') });
      const forward = http.request(`${target}${req.url ?? ''}`, { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      forward.on('error', () => res.destroy());
      forward.end(body);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('Claude Code through an Anthropic API-key provider', function () {
  this.timeout(90_000);
  const suite = connectedClientSuite('claude-code');
  const sent: Sent[] = [];
  let proxy: http.Server;

  before(async () => {
    suite.stack.sim.addProviderKey({ provider: 'anthropic', key: PROVIDER_KEY, name: 'claude-code-key' });
    await suite.stack.agate.admin.call('addProvider', { name: 'anthropic', kind: 'anthropic', key: PROVIDER_KEY, baseUrl: `${suite.stack.sim.url}/anthropic` });
    proxy = await recordingProxy(suite.stack.url, sent);
    // Claude Code's settings, as `agate connect` wrote them, now point at the proxy in front of the gateway.
    const settingsFile = path.join(suite.home.home, '.claude', 'settings.json');
    const settings = JSON.parse(fs.readFileSync(settingsFile, 'utf8')) as { env: Record<string, string> };
    assert.equal(settings.env.ANTHROPIC_BASE_URL, suite.stack.url);
    settings.env.ANTHROPIC_BASE_URL = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    fs.writeFileSync(settingsFile, JSON.stringify(settings, null, 2));
  });
  after(() => new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve())));
  beforeEach(() => {
    sent.length = 0;
  });
  afterEach(() => {
    suite.stack.config.models.providerPolicy = {};
    suite.stack.sim.clearFaults();
  });

  async function claude(prompt: string): Promise<ClaudeResult> {
    const run = await runProcess(CLAUDE, ['-p', prompt, '--output-format', 'json'], { cwd: suite.workDir, env: suite.home.env(), timeoutMs: 60_000 });
    assert.equal(run.code, 0, `claude exited ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
    return JSON.parse(run.stdout) as ClaudeResult;
  }

  /**
   * The conversation's request (its prompt holds the sim directive) as the provider got it, and the request
   * Claude Code sent with the very same bytes (it also sends a background request quoting the prompt).
   */
  function mainRequest(marker: string) {
    const provider = suite.stack.sim.log.filter((entry) => entry.label === 'anthropic' && entry.method === 'messages' && entry.rawBody!.includes(marker));
    assert.equal(provider.length, 1, `the provider got the conversation once (${provider.length})`);
    const client = sent.find((entry) => entry.path.startsWith('/v1/messages') && entry.body === provider[0].rawBody);
    assert.ok(client, 'the provider got a body Claude Code sent, byte for byte');
    const record = suite.stack.agate.observability!.monitor.list().find((entry) => entry.accountId?.startsWith('provider:'));
    assert.ok(record, 'the monitor recorded the provider request');
    return { client, provider: provider[0], record };
  }

  it('provider-only: the body passes through byte for byte, cache_control blocks and anthropic-beta unchanged', async () => {
    suite.stack.config.models.providerPolicy = { 'claude-*': 'provider-only' };
    const result = await claude('Count for me. [[sim:words 5]]');
    assert.equal(result.is_error, false, JSON.stringify(result));
    assert.equal(result.result, 'word1 word2 word3 word4 word5');
    const { client, provider, record } = mainRequest('[[sim:words 5]]');
    // claude-opus-4-8 is the provider's own id: not one byte changed (mainRequest found Claude Code's identical body).
    assert.match(provider.rawBody!, /"cache_control":\{"type":"ephemeral"/);
    assert.ok(client.headers['anthropic-beta'], 'Claude Code sends betas');
    assert.equal(provider.headers!['anthropic-beta'], client.headers['anthropic-beta']);
    assert.equal(provider.headers!['anthropic-version'], client.headers['anthropic-version']);
    assert.equal(provider.account, 'claude-code-key');
    assert.equal(record.clientModel, 'claude-opus-4-8');
    assert.deepEqual(
      record.attempts.map((attempt) => [attempt.accountEmail, attempt.outcome, attempt.message]),
      [['provider anthropic', 'ok', 'passed through (same protocol)']],
    );
    assert.ok(record.usage!.inputTokens > 0 && record.usage!.outputTokens > 0, JSON.stringify(record.usage));
  });

  it('pool-first: with the accounts exhausted the request spills over to the provider, and the trail says why', async () => {
    suite.stack.config.models.providerPolicy = { 'claude-*': 'pool-first' };
    // The account's quota for the model claude-opus-4-8 maps to is gone for the hour.
    suite.stack.sim.injectFault({ kind: 'quota_exhausted', times: Infinity, resetInMs: 3_600_000, model: 'claude-opus-4-6-thinking' });
    const result = await claude('Spill over. [[sim:words 4]]');
    assert.equal(result.is_error, false, JSON.stringify(result));
    assert.equal(result.result, 'word1 word2 word3 word4');
    const { client, provider, record } = mainRequest('[[sim:words 4]]');
    assert.equal(provider.headers!['anthropic-beta'], client.headers['anthropic-beta']);
    const spill = record.attempts.find((attempt) => attempt.accountId === 'pool');
    assert.ok(spill, JSON.stringify(record.attempts));
    assert.equal(spill.outcome, 'rate_limit');
    assert.equal(spill.next?.note, 'no account can serve: spilling over to the providers');
    assert.deepEqual(
      [record.attempts.at(-1)!.accountEmail, record.attempts.at(-1)!.outcome, record.attempts.at(-1)!.message],
      ['provider anthropic', 'ok', 'passed through (same protocol)'],
    );
  });
});
