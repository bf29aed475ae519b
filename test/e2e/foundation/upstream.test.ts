/**
 * The upstream client seen from outside: host fallback order, access-token
 * refresh (ahead of expiry and after a 401), and abort propagation — each
 * asserted on what the simulator saw.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import type { LogEntry } from '../../../src/simulator';
import { DEFAULT_ACCOUNT, startStack, type Stack } from '../../helpers/stack';

const isGeneration = (entry: LogEntry) => entry.method === 'generateContent' || entry.method === 'streamGenerateContent';
const tokenGrants = (stack: Stack) => stack.sim.log.filter((entry) => entry.label === 'oauth' && entry.method === 'token').length;

function client(stack: Stack) {
  return new Anthropic({ baseURL: stack.url, apiKey: 'test', maxRetries: 0 });
}

async function ask(stack: Stack, text: string) {
  return client(stack).messages.create({ model: 'claude-sonnet-4-6', max_tokens: 256, messages: [{ role: 'user', content: text }] });
}

/** A port nothing listens on: a host there fails with a connection error. */
async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('foundation: host fallback', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(() => stack.close());
  beforeEach(() => stack.sim.reset());

  it('daily answers when healthy; prod is not asked', async () => {
    const message = await ask(stack, 'healthy');
    assert.match((message.content[0] as Anthropic.TextBlock).text, /You said: healthy/);
    assert.deepEqual(
      stack.sim.log.filter(isGeneration).map((entry) => [entry.label, entry.status]),
      [['daily', 200]],
    );
  });

  for (const [kind, status] of [
    ['capacity', 503],
    ['server_error', 500],
  ] as const) {
    it(`daily fails with ${kind} (${status}) → prod answers`, async () => {
      stack.sim.injectFault({ kind, host: 'daily' });
      const message = await ask(stack, `fallback after ${kind}`);
      assert.match((message.content[0] as Anthropic.TextBlock).text, new RegExp(`You said: fallback after ${kind}`));
      const seen = stack.sim.log.filter(isGeneration).map((entry) => [entry.label, entry.status]);
      assert.deepEqual(seen.slice(0, 2), [
        ['daily', status],
        ['prod', 200],
      ]);
    });
  }

  it('never falls back on a 400: the client gets it and prod is not asked', async () => {
    stack.sim.injectFault({ kind: 'bad_request', host: 'daily', message: 'scripted refusal' });
    await assert.rejects(ask(stack, 'refused'), (err: unknown) => {
      assert.ok(err instanceof Anthropic.BadRequestError, String(err));
      assert.match(err.message, /scripted refusal/);
      return true;
    });
    assert.deepEqual(
      stack.sim.log.filter(isGeneration).map((entry) => entry.label),
      ['daily'],
    );
  });
});

describe('foundation: host fallback on a network error and a 404', () => {
  let stack: Stack;
  before(async () => {
    const dead = await deadPort();
    stack = await startStack({
      configure: (config) => {
        // First a host that refuses connections, then a path the upstream does not serve (404), then prod.
        const prod = config.upstream.hosts[1];
        config.upstream.hosts = [`http://127.0.0.1:${dead}`, prod.replace(/\/prod$/, '/not/served'), prod];
      },
    });
  });
  after(() => stack.close());

  it('skips the unreachable and the 404 host, in order, and prod answers', async () => {
    stack.sim.reset();
    const message = await ask(stack, 'reach prod');
    assert.match((message.content[0] as Anthropic.TextBlock).text, /You said: reach prod/);
    const generations = stack.sim.log.filter((entry) => entry.label !== 'oauth' && entry.status !== 0);
    assert.ok(
      generations.some((entry) => entry.status === 404),
      'the 404 host was tried',
    );
    assert.equal(generations.at(-1)?.label, 'prod');
    assert.equal(generations.at(-1)?.status, 200);
  });
});

describe('foundation: access-token refresh', () => {
  const TOKEN_TTL_SEC = 3600;
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      // The gateway refreshes only once a token has expired; the tests expire it by moving the shared clock.
      accounts: [{ ...DEFAULT_ACCOUNT, accessTokenTtlSec: TOKEN_TTL_SEC }],
      flags: { 'oauth.refreshSkewMs': '0' },
    });
  });
  after(() => stack.close());

  it('an expired access token is refreshed before the call; the upstream never sees a stale one', async () => {
    await ask(stack, 'first');
    const grantsBefore = tokenGrants(stack);
    stack.clock.advance(TOKEN_TTL_SEC * 1000 + 1);
    const message = await ask(stack, 'after expiry');
    assert.match((message.content[0] as Anthropic.TextBlock).text, /You said: after expiry/);
    assert.equal(tokenGrants(stack), grantsBefore + 1, 'one refresh grant');
    assert.ok(!stack.sim.log.some((entry) => entry.status === 401), 'no call went out with an expired token');
  });

  it('a 401 from the upstream renews the token once and the call succeeds', async () => {
    stack.sim.reset();
    stack.sim.injectFault({ kind: 'unauthorized' });
    const message = await ask(stack, 'after 401');
    assert.match((message.content[0] as Anthropic.TextBlock).text, /You said: after 401/);
    const generations = stack.sim.log.filter(isGeneration).map((entry) => entry.status);
    assert.deepEqual(generations, [401, 200]);
    const grantIndex = stack.sim.log.findIndex((entry) => entry.label === 'oauth' && entry.method === 'token');
    const retryIndex = stack.sim.log.findIndex((entry) => isGeneration(entry) && entry.status === 200);
    assert.ok(grantIndex >= 0 && grantIndex < retryIndex, 'the token was refreshed before the retry');
  });

  it('50 concurrent calls on an expired token share one refresh', async () => {
    stack.clock.advance(TOKEN_TTL_SEC * 1000 + 1);
    stack.sim.reset();
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => ask(stack, `concurrent ${i}`)));
    assert.equal(answers.length, 50);
    assert.equal(tokenGrants(stack), 1);
    assert.equal(stack.sim.log.filter((entry) => isGeneration(entry) && entry.status === 200).length, 50);
  });
});

describe('foundation: project onboarding', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ accounts: [{ email: 'new@example.com', refreshToken: '1//new-user', onboarded: false }], simulator: { onboardingPolls: 2 } });
  });
  after(() => stack.close());

  it('an account without a project is onboarded (onboardUser polled to done) and then serves', async () => {
    const methods = stack.sim.log.filter((entry) => entry.label !== 'oauth').map((entry) => entry.method);
    const onboardCalls = methods.filter((method) => method === 'onboardUser').length;
    assert.ok(methods.indexOf('loadCodeAssist') < methods.indexOf('onboardUser'), methods.join(','));
    assert.ok(onboardCalls >= 2 || methods.includes('operations'), `polled until done: ${methods.join(',')}`);
    const account = stack.sim.accounts().find((candidate) => candidate.email === 'new@example.com')!;
    assert.equal(account.onboarded, true);
    const message = await ask(stack, 'onboarded');
    assert.match((message.content[0] as Anthropic.TextBlock).text, /You said: onboarded/);
    const generation = stack.sim.log.filter(isGeneration).at(-1)!;
    assert.equal((generation.body as { project: string }).project, account.projectId);
  });
});

describe('foundation: client abort reaches the upstream', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ simulator: { frameIntervalMs: 100, framesPerAnswer: 40 } });
  });
  after(() => stack.close());
  beforeEach(() => stack.sim.reset());

  it('a stream the client abandons mid-way is cancelled upstream', async () => {
    const controller = new AbortController();
    const stream = client(stack).messages.stream(
      { model: 'claude-sonnet-4-6', max_tokens: 4096, messages: [{ role: 'user', content: '[[sim:words 200]]' }] },
      { signal: controller.signal },
    );
    let deltas = 0;
    await assert.rejects(
      (async () => {
        for await (const event of stream) {
          if (event.type === 'content_block_delta' && ++deltas === 2) controller.abort();
        }
      })(),
    );
    const entry = await stack.sim.waitForLog((e) => isGeneration(e) && e.aborted, 5_000);
    assert.ok(entry.frames < 40, `the upstream stopped early (${entry.frames} frames)`);
  });

  it('a non-streaming call the client abandons while the upstream is silent is cancelled upstream', async () => {
    const controller = new AbortController();
    const pending = client(stack).messages.create(
      { model: 'claude-sonnet-4-6', max_tokens: 256, messages: [{ role: 'user', content: '[[sim:fault hang]]' }] },
      { signal: controller.signal },
    );
    const rejected = assert.rejects(pending);
    await stack.sim.waitForLog((e) => isGeneration(e) && e.fault === 'hang');
    controller.abort();
    await rejected;
    const entry = await stack.sim.waitForLog((e) => isGeneration(e) && e.aborted, 5_000);
    assert.equal(entry.status, 0, 'the upstream never answered');
  });
});
