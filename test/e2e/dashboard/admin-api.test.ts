// The dashboard's admin API over HTTP against the simulator: accounts and their actions, the live monitor with
// attempt trails, token stats against the tokens the clients were told, CSV export, the event stream, and GET /dashboard.
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { AdminAccount, GatewayInfo, RequestRecord, StatsQueryResult } from '../../../src/core/admin/types';
import { DEFAULT_ACCOUNT, startStack, type Stack } from '../../helpers/stack';
import { admin, eventually, openEvents } from './admin-client';
import { dashboardBundle } from './bundle';

const BOB = { email: 'bob@example.com', refreshToken: '1//stack-refresh-bob', tier: 'free-tier' };
const CY = { email: 'cy@example.com', refreshToken: '1//stack-refresh-cy', tier: 'g1-ultra-tier' };

describe('dashboard: admin API', () => {
  let stack: Stack;
  let openai: OpenAI;
  let anthropic: Anthropic;
  const told = { input: 0, output: 0, requests: 0 };

  before(async () => {
    stack = await startStack({ accounts: [DEFAULT_ACCOUNT, BOB], extraSimulatorAccounts: [CY], host: { dashboardDir: await dashboardBundle() } });
    openai = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    anthropic = new Anthropic({ baseURL: stack.url, apiKey: 'unused', maxRetries: 0 });
  });
  after(() => stack.close());

  const get = <T>(path: string) => admin<T>(stack.url, path);
  const post = <T>(path: string, body?: unknown) => admin<T>(stack.url, path, { method: 'POST', body });
  const recordOf = (id: string) =>
    eventually(`the monitor row of ${id}`, async () => {
      const reply = await get<{ records: RequestRecord[] }>('/admin/api/requests?limit=50');
      return reply.body.records.find((record) => record.id === id);
    });

  async function askOpenAI(text: string): Promise<string> {
    const { data, response } = await openai.chat.completions.create({ model: 'gemini-3-flash', messages: [{ role: 'user', content: text }] }).withResponse();
    told.input += data.usage!.prompt_tokens;
    told.output += data.usage!.completion_tokens;
    told.requests++;
    return response.headers.get('x-request-id')!;
  }

  it('describes the gateway', async () => {
    const { status, body } = await get<GatewayInfo>('/admin/api/gateway');
    assert.equal(status, 200);
    assert.equal(body.running, true);
    assert.equal(body.url, stack.url);
    assert.equal(body.version, '0.0.0-test');
    assert.equal(body.authMode, 'off');
    assert.deepEqual(body.accounts, { total: 2, usable: 2 });
    assert.equal(body.observability, true);
  });

  it('lists the accounts in order with tier, state and per-model quota', async () => {
    const { status, body } = await get<AdminAccount[]>('/admin/api/accounts');
    assert.equal(status, 200);
    assert.deepEqual(
      body.map((account) => [account.email, account.plan, account.state, account.usable]),
      [
        ['ada@example.com', 'pro', 'active', true],
        ['bob@example.com', 'free', 'active', true],
      ],
    );
    const flash = body[0].models.find((model) => model.model === 'gemini-3-flash');
    assert.ok(flash, 'gemini-3-flash is listed');
    assert.equal(typeof flash.remainingFraction, 'number');
    assert.equal(typeof flash.resetAt, 'number');
    assert.equal(body[0].tier, 'g1-pro-tier');
  });

  it('disables, enables, reorders, refreshes quota, adds and removes accounts', async () => {
    const [ada, bob] = (await get<AdminAccount[]>('/admin/api/accounts')).body;
    const disabled = await post<AdminAccount[]>(`/admin/api/accounts/${bob.id}/disable`);
    assert.equal(disabled.body.find((account) => account.id === bob.id)?.state, 'disabled');
    assert.deepEqual((await get<GatewayInfo>('/admin/api/gateway')).body.accounts, { total: 2, usable: 1 });
    const enabled = await post<AdminAccount[]>(`/admin/api/accounts/${bob.id}/enable`);
    assert.equal(enabled.body.find((account) => account.id === bob.id)?.state, 'active');

    const reordered = await post<AdminAccount[]>('/admin/api/accounts/order', { ids: [bob.id, ada.id] });
    assert.deepEqual(
      reordered.body.map((account) => account.email),
      [BOB.email, DEFAULT_ACCOUNT.email],
    );
    await post('/admin/api/accounts/order', { ids: [ada.id, bob.id] });

    const fetchesBefore = stack.sim.log.filter((entry) => entry.method === 'fetchAvailableModels' && entry.account === ada.email).length;
    assert.equal((await post(`/admin/api/accounts/${ada.id}/refresh-quota`)).status, 200);
    assert.equal(stack.sim.log.filter((entry) => entry.method === 'fetchAvailableModels' && entry.account === ada.email).length, fetchesBefore + 1);

    const added = await post<AdminAccount>('/admin/api/accounts', { refreshToken: CY.refreshToken });
    assert.equal(added.status, 200);
    assert.equal(added.body.email, CY.email);
    assert.equal(added.body.plan, 'ultra');
    const removed = await admin<AdminAccount[]>(stack.url, `/admin/api/accounts/${added.body.id}`, { method: 'DELETE' });
    assert.deepEqual(
      removed.body.map((account) => account.email),
      [DEFAULT_ACCOUNT.email, BOB.email],
    );
  });

  it('answers invalid admin calls with 400 and unknown accounts with 404', async () => {
    const bad = await post<{ error: { message: string } }>('/admin/api/accounts', { refreshToken: '1//nobody-has-this' });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /token refresh failed/);
    assert.equal((await post('/admin/api/accounts/acct_missing/disable')).status, 404);
    assert.equal((await post('/admin/api/accounts/order', { ids: 'nope' })).status, 400);
    assert.equal((await get('/admin/api/requests?protocol=smtp')).status, 400);
    assert.equal((await get('/admin/api/stats?granularity=minute')).status, 400);
    assert.equal((await get('/admin/api/stats?from=0&to=4102444800000')).status, 400, 'a range of too many buckets');
    // Checked against the call's schema (src/core/admin/protocol.ts): the 400 names the parameter, on either route.
    const limit = await get<{ error: { message: string; param?: string } }>('/admin/api/requests?limit=0');
    assert.equal(limit.status, 400);
    assert.equal(limit.body.error.param, 'limit');
    assert.match(limit.body.error.message, /"limit"/);
    const typo = await post<{ error: { message: string; param?: string } }>('/admin/api/call/proxy', { verbose: true });
    assert.equal(typo.status, 400);
    assert.equal(typo.body.error.param, 'verbose');
    assert.equal((await post('/admin/api/call/noSuchCall', {})).status, 404);
  });

  it('shows a request made with the OpenAI SDK and one with the Anthropic SDK in the monitor', async () => {
    const openaiId = await askOpenAI('monitor me');
    const { data: message, response } = await anthropic.messages
      .create({ model: 'claude-sonnet-4-6', max_tokens: 200, messages: [{ role: 'user', content: 'and me' }] })
      .withResponse();
    told.input += message.usage.input_tokens + (message.usage.cache_read_input_tokens ?? 0);
    told.output += message.usage.output_tokens;
    told.requests++;

    const first = await recordOf(openaiId);
    assert.equal(first.protocol, 'openai-chat');
    assert.equal(first.clientModel, 'gemini-3-flash');
    assert.equal(first.status, 200);
    assert.equal(first.accountEmail, DEFAULT_ACCOUNT.email);
    assert.ok(first.usage && first.usage.inputTokens > 0);
    const second = await recordOf(response.headers.get('x-request-id')!);
    assert.equal(second.protocol, 'anthropic');
    assert.equal(second.clientModel, 'claude-sonnet-4-6');

    const filtered = await get<{ records: RequestRecord[] }>('/admin/api/requests?protocol=anthropic');
    assert.ok(filtered.body.records.length > 0);
    assert.ok(filtered.body.records.every((record) => record.protocol === 'anthropic'));
    const byModel = await get<{ records: RequestRecord[] }>('/admin/api/requests?model=gemini-3-flash&status=ok');
    assert.ok(byModel.body.records.some((record) => record.id === openaiId));
    assert.ok(byModel.body.records.every((record) => record.clientModel === 'gemini-3-flash' || record.upstreamModel === 'gemini-3-flash'));
    const byAccount = await get<{ records: RequestRecord[] }>(`/admin/api/requests?account=${encodeURIComponent(BOB.email)}`);
    assert.ok(byAccount.body.records.every((record) => record.accountEmail === BOB.email));
  });

  it('keeps the attempt trail of a request that survived an upstream fault', async () => {
    stack.sim.injectFault({ kind: 'rate_limited', retryDelayMs: 50 });
    const id = await askOpenAI('through a fault');
    const { body: record } = await get<RequestRecord>(`/admin/api/requests/${id}`);
    assert.equal(record.status, 200);
    assert.ok(record.attempts.length >= 2, `attempts: ${JSON.stringify(record.attempts)}`);
    assert.equal(record.attempts[0].outcome, 'rate_limited');
    assert.match(record.attempts[0].host ?? '', new RegExp(`^${stack.sim.url}/`));
    assert.equal(record.attempts.at(-1)?.outcome, 'ok');
    assert.equal((await get(`/admin/api/requests/req_does_not_exist`)).status, 404);
  });

  it('totals the tokens the clients were told, per model and overall, and exports them as CSV', async () => {
    const range = `from=${Date.now() - 3600_000}&to=${Date.now() + 3600_000}&granularity=hour`;
    const overall = (await get<StatsQueryResult>(`/admin/api/stats?${range}&groupBy=none`)).body;
    assert.equal(overall.series.length, 1);
    const totals = overall.series[0].total;
    assert.equal(totals.requests, told.requests);
    assert.equal(totals.errors, 0);
    assert.equal(totals.inputTokens, told.input);
    assert.equal(totals.outputTokens + totals.thinkingTokens, told.output);
    assert.ok(totals.p50Ms !== null && totals.p95Ms !== null);

    const byModel = (await get<StatsQueryResult>(`/admin/api/stats?${range}&groupBy=model`)).body;
    assert.deepEqual(byModel.series.map((series) => series.key).sort(), ['claude-sonnet-4-6', 'gemini-3-flash']);
    assert.equal(byModel.series.find((series) => series.key === 'gemini-3-flash')?.total.requests, told.requests - 1);

    const csv = await get<string>(`/admin/api/stats.csv?${range}`);
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
    assert.match(csv.headers.get('content-disposition') ?? '', /attachment; filename="agate-token-stats.csv"/);
    const [header, ...rows] = csv.body.trim().split(/\r?\n/);
    const columns = header.split(',');
    assert.deepEqual(columns.slice(0, 7), ['bucket_start', 'granularity', 'model', 'account', 'client_key', 'requests', 'errors']);
    const sum = (column: string) => rows.reduce((total, row) => total + Number(row.split(',')[columns.indexOf(column)]), 0);
    assert.equal(sum('requests'), told.requests);
    assert.equal(sum('input_tokens'), told.input);
    assert.equal(sum('output_tokens') + sum('thinking_tokens'), told.output);
  });

  it('streams a finished request and account changes to an event subscriber', async () => {
    const events = await openEvents(stack.url);
    try {
      assert.equal(events.status, 200);
      const id = await askOpenAI('live row please');
      const started = await events.next((event) => event.type === 'request-started' && event.request.id === id);
      assert.equal(started.type, 'request-started');
      const finished = await events.next((event) => event.type === 'request-finished' && event.record.id === id);
      assert.equal(finished.type === 'request-finished' && finished.record.status, 200);

      const bob = (await get<AdminAccount[]>('/admin/api/accounts')).body[1];
      await post(`/admin/api/accounts/${bob.id}/disable`);
      const changed = await events.next((event) => event.type === 'account' && event.account.id === bob.id && event.account.state === 'disabled');
      assert.equal(changed.type, 'account');
      await post(`/admin/api/accounts/${bob.id}/enable`);
    } finally {
      events.close();
    }
  });

  it('ends open event streams when the gateway stops, without waiting for the shutdown grace', async () => {
    const events = await openEvents(stack.url);
    const grace = stack.config.server.shutdownGraceMs;
    stack.config.server.shutdownGraceMs = 60_000;
    try {
      const stopped = stack.agate.stop();
      // Bounded by mocha's timeout: a stop that waited for the stream would take the whole grace.
      await stopped;
      await stack.agate.start();
      stack.url = stack.agate.server!.url;
    } finally {
      stack.config.server.shutdownGraceMs = grace;
      events.close();
    }
  });

  it('serves the dashboard page with the bundle inline under a nonce CSP', async () => {
    const response = await fetch(`${stack.url}/dashboard`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    const csp = response.headers.get('content-security-policy') ?? '';
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(nonce, csp);
    assert.match(csp, /default-src 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(response.headers.get('referrer-policy'), 'same-origin');
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const html = await response.text();
    assert.ok(html.includes(`<script type="module" nonce="${nonce}">`));
    assert.ok(html.includes(`<style nonce="${nonce}">`));
    assert.match(html, /data-transport="http"/);
    assert.match(html, /\/admin\/api\/events/, 'the bundle (with its HTTP transport) is inline');
    // Nothing but the nonced elements may run or style.
    assert.equal((html.match(/<script/g) ?? []).length, 1);
    const again = await fetch(`${stack.url}/dashboard`);
    assert.notEqual(/nonce-([^']+)/.exec(again.headers.get('content-security-policy') ?? '')?.[1], nonce, 'a fresh nonce per page');
  });

  it("gives a refusal's message code beside its English (error.detail) to admin callers only, never to clients", async () => {
    const missing = await post<{ error: { message: string; detail?: unknown } }>('/admin/api/accounts/acct_missing/disable');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.message, 'No account has the id "acct_missing"');
    assert.deepEqual(missing.body.error.detail, { code: 'admin.account.notFound', params: { id: 'acct_missing' } });
    // No settings writer in this host: refused as unavailable, coded too.
    const settings = await post<{ error: { message: string; detail?: unknown } }>('/admin/api/settings', { changes: { port: 70000 } });
    assert.equal(settings.status, 503);
    assert.deepEqual(settings.body.error.detail, { code: 'admin.unavailable.settings' });
    // A client protocol's error body keeps the official API's shape: English, nothing added.
    // (Last: the stats above count every request to the client routes.)
    const client = await fetch(`${stack.url}/v1/no-such-endpoint`);
    const body = (await client.json()) as { error: Record<string, unknown> };
    assert.equal(client.status, 404);
    assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'param', 'type']);
  });
});
