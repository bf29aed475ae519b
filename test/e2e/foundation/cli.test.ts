/**
 * The headless host as users run it: `node dist/cli.js serve|demo|simulate|config`
 * in a child process — it answers, layers its configuration, names a bad key,
 * and exits cleanly on SIGTERM with its port released.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CliServer, cleanEnv, ensureCliBuilt, runCli } from './cli-process';
import { assertErrorShape } from './protocol-shapes';

const hasCurl = (() => {
  try {
    execFileSync('curl', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const URL_LINE = /listening on (http:\/\/127\.0\.0\.1:(\d+))/;

async function portIsFree(port: number): Promise<boolean> {
  const probe = net.createServer();
  return new Promise((resolve) => {
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

const anthropicCall = (baseUrl: string, text: string) =>
  fetch(`${baseUrl}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': 'any' },
    body: JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 64, messages: [{ role: 'user', content: text }] }),
  });

describe('foundation: the agate CLI', function () {
  this.timeout(60_000);
  let tmp: string;
  const servers: CliServer[] = [];
  const start = (args: string[], env?: NodeJS.ProcessEnv) => {
    const server = CliServer.start(args, env);
    servers.push(server);
    return server;
  };

  before(function () {
    this.timeout(120_000);
    ensureCliBuilt();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'agate-cli-'));
  });
  afterEach(() => {
    for (const server of servers.splice(0)) server.kill();
  });
  after(() => tmp && fs.rmSync(tmp, { recursive: true, force: true }));

  it('--help prints the usage and exits 0; an unknown command exits 2 with a hint', async () => {
    const help = await runCli(['--help']);
    assert.equal(help.code, 0);
    for (const command of ['serve', 'demo', 'simulate', 'accounts add', 'config']) assert.match(help.stdout, new RegExp(`\\b${command}\\b`));
    const serveHelp = await runCli(['serve', '--help']);
    assert.equal(serveHelp.code, 0);
    assert.match(serveHelp.stdout, /--data-dir/);
    const unknown = await runCli(['frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "frobnicate"/);
  });

  describe('config: defaults < file < AGATE_* env < flags', () => {
    it('prints the effective configuration with each layer applied', async () => {
      const file = path.join(tmp, 'layers.json');
      fs.writeFileSync(
        file,
        JSON.stringify({
          port: 9001,
          host: '127.0.0.2',
          upstream: { userAgent: 'from-file', proxy: 'http://proxy.local:3128' },
          scheduling: { mode: 'balance' },
        }),
      );
      const env = cleanEnv({ AGATE_PORT: '9002', AGATE_UPSTREAM_USER_AGENT: 'from-env', AGATE_OAUTH_TOKEN_URL: 'http://127.0.0.1:1/token' });
      const run = await runCli(['config', '--json', '--config', file, '--port', '9003', '--set', 'oauth.clientId=from-flag', '--data-dir', tmp], env);
      assert.equal(run.code, 0, run.stderr);
      const config = JSON.parse(run.stdout);
      assert.equal(config.port, 9003, 'a flag beats the environment and the file');
      assert.equal(config.upstream.userAgent, 'from-env', 'the environment beats the file');
      assert.equal(config.oauth.tokenUrl, 'http://127.0.0.1:1/token');
      assert.equal(config.host, '127.0.0.2', 'the file beats the defaults');
      assert.equal(config.scheduling.mode, 'balance');
      assert.equal(config.upstream.proxy, 'http://proxy.local:3128');
      assert.equal(config.oauth.clientId, 'from-flag');
      assert.equal(config.dataDir, tmp);
      assert.deepEqual(
        config.upstream.hosts,
        ['https://daily-cloudcode-pa.googleapis.com', 'https://cloudcode-pa.googleapis.com'],
        'untouched keys keep their default',
      );
      assert.equal(config.oauth.clientSecret, '(set)', 'the client secret is not printed');
    });

    const invalid: Array<[string, () => { args: string[]; env?: Record<string, string> }, RegExp]> = [
      [
        'an unknown key in the file',
        () => ({ args: ['--config', writeFile({ upstream: { hostz: [] } })] }),
        /"upstream\.hostz" is not a known setting \(from config file /,
      ],
      [
        'a URL of the wrong scheme in the file',
        () => ({ args: ['--config', writeFile({ upstream: { hosts: ['ftp://x'] } })] }),
        /"upstream\.hosts\.0" must match pattern/,
      ],
      ['a non-number in the environment', () => ({ args: [], env: { AGATE_PORT: 'eighty' } }), /environment variable AGATE_PORT: expected a number/],
      ['an out-of-range flag', () => ({ args: ['--port', '70000'] }), /"port" must be <= 65535 \(from --port\)/],
      [
        'a value outside an enum',
        () => ({ args: ['--set', 'scheduling.mode=fastest'] }),
        /"scheduling\.mode" must be one of cache-first, balance, performance-first \(got "fastest"\) \(from --set scheduling\.mode\)/,
      ],
      ['an unknown --set key', () => ({ args: ['--set', 'no.such=1'] }), /--set no\.such: "no\.such" is not a configuration key/],
      ['a missing config file', () => ({ args: ['--config', path.join(tmp, 'missing.json')] }), /config file .*missing\.json does not exist$/m],
    ];
    let fileCount = 0;
    const writeFile = (value: unknown) => {
      const file = path.join(tmp, `bad-${fileCount++}.json`);
      fs.writeFileSync(file, JSON.stringify(value));
      return file;
    };
    for (const [what, input, message] of invalid) {
      it(`names the bad key: ${what}`, async () => {
        const { args, env } = input();
        const run = await runCli(['config', ...args], cleanEnv(env));
        assert.equal(run.code, 1, run.stdout);
        assert.match(run.stderr, message);
        assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
      });
    }

    it('serve refuses a bad configuration before it listens', async () => {
      const run = await runCli(['serve', '--data-dir', path.join(tmp, 'refused'), '--set', 'server.bodyLimitBytes=0']);
      assert.equal(run.code, 1);
      assert.match(run.stderr, /"server\.bodyLimitBytes" must be >= 1/);
      assert.doesNotMatch(run.stdout, /listening/);
    });
  });

  it('serve --port 0 with no account: answers health and a 503 that says how to add one; SIGTERM stops it cleanly', async () => {
    const server = start(['serve', '--port', '0', '--data-dir', path.join(tmp, 'serve')]);
    const [, baseUrl, port] = await server.waitFor(URL_LINE);
    await server.waitFor(/No account yet/);
    const health = (await (await fetch(`${baseUrl}/healthz`)).json()) as { status: string; accounts: unknown };
    assert.equal(health.status, 'degraded');
    assert.deepEqual(health.accounts, { total: 0, usable: 0 });
    assert.equal((await fetch(baseUrl, { method: 'HEAD' })).status, 200);
    const refused = await anthropicCall(baseUrl, 'hi');
    assert.equal(refused.status, 503);
    assert.match(assertErrorShape('anthropic', 503, await refused.json()), /accounts add/);
    assert.equal(await server.stop(), 0);
    assert.ok(await portIsFree(Number(port)), 'the port is released');
  });

  it('demo --port 0: the simulator, a demo account and a curl line for each protocol; it answers; SIGTERM stops it', async () => {
    const server = start(['demo', '--port', '0']);
    const [, baseUrl, port] = await server.waitFor(URL_LINE);
    await server.waitFor(/curl .*\/healthz/);
    const curls = server.stdout
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.startsWith('curl ') && line.includes(' -d '));
    for (const route of ['/v1/messages', '/v1/chat/completions', '/v1beta/models/gemini-3-flash:generateContent']) {
      const line = curls.find((candidate) => candidate.includes(`${baseUrl}${route} `));
      assert.ok(line, `a curl line for ${route}:\n${server.stdout}`);
      // The printed line, pasted into a shell as a user would, gets the simulator's answer.
      if (hasCurl) assert.match(execFileSync('/bin/sh', ['-c', `${line} -s`], { encoding: 'utf8' }), /Hello from [\w.-]+\. You said: Hello/);
    }
    const health = (await (await fetch(`${baseUrl}/healthz`)).json()) as { status: string; accounts: unknown };
    assert.deepEqual(health, { ...health, status: 'ok', accounts: { total: 1, usable: 1 } });
    const answer = await anthropicCall(baseUrl, 'from the demo');
    assert.equal(answer.status, 200);
    assert.match(JSON.stringify(await answer.json()), /You said: from the demo/);
    const dataDir = /Data: (\S+?)(?: \(deleted|\.$)/m.exec(server.stdout)?.[1];
    assert.ok(dataDir && fs.existsSync(dataDir), 'a temporary data dir while it runs');
    assert.equal(await server.stop(), 0);
    assert.ok(await portIsFree(Number(port)), 'the port is released');
    assert.ok(!fs.existsSync(dataDir!), 'the temporary data dir is removed');
  });

  it('simulate --port 0 serves the simulator (with its demo account); demo --simulator uses it; both stop on SIGTERM', async () => {
    const simulate = start(['simulate', '--port', '0']);
    const [, simUrl] = await simulate.waitFor(/Upstream simulator at (http:\/\/127\.0\.0\.1:\d+)/);
    const accounts = (await (await fetch(`${simUrl}/__sim/accounts`)).json()) as Array<{ email: string }>;
    assert.ok(
      accounts.some((account) => account.email === 'demo@agate.local'),
      JSON.stringify(accounts),
    );
    const demo = start(['demo', '--port', '0', '--simulator', simUrl]);
    const [, baseUrl] = await demo.waitFor(URL_LINE);
    const answer = await anthropicCall(baseUrl, 'through agate simulate');
    assert.equal(answer.status, 200);
    const log = (await (await fetch(`${simUrl}/__sim/log`)).json()) as Array<{ method: string; status: number }>;
    assert.ok(
      log.some((entry) => /^(stream)?[gG]enerateContent$/.test(entry.method) && entry.status === 200),
      'the separate simulator served it',
    );
    assert.equal(await demo.stop(), 0);
    assert.equal(await simulate.stop(), 0);
  });

  it('simulate --log-entries N keeps about the last N requests (a load test of large bodies stays small)', async () => {
    const simulate = start(['simulate', '--port', '0', '--log-entries', '2']);
    const [, simUrl] = await simulate.waitFor(/Upstream simulator at (http:\/\/127\.0\.0\.1:\d+)/);
    const token = (await (await fetch(`${simUrl}/__sim/accounts/demo%40agate.local/token`, { method: 'POST' })).json()) as { access_token: string };
    for (let i = 0; i < 5; i++) {
      await fetch(`${simUrl}/daily/v1internal:generateContent`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ project: 'p', model: 'gemini-2.5-flash', request: { contents: [{ role: 'user', parts: [{ text: `turn ${i}` }] }] } }),
      }).then((response) => response.arrayBuffer());
    }
    const log = (await (await fetch(`${simUrl}/__sim/log`)).json()) as Array<{ id: number }>;
    // Trimmed in batches of a tenth of the cap (at least one): 2 to 3 entries, the latest last.
    assert.ok(log.length >= 2 && log.length <= 3, JSON.stringify(log.map((entry) => entry.id)));
    assert.equal(log.at(-1)?.id, 5);
    assert.equal(await simulate.stop(), 0);
    assert.match((await runCli(['simulate', '--log-entries', 'many'])).stderr, /--log-entries expects a non-negative number/);
  });
});
