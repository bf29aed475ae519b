/**
 * The team deployment files run what they say: the systemd unit's ExecStart and the Dockerfile's
 * ENTRYPOINT + CMD use only commands and flags `agate serve --help` lists, and, run here with their paths
 * mapped to temp dirs (the CLI bundle for /opt/agate or /app, a free port, the Redis of the test in the
 * environment they document), both start, join one team, answer /healthz, and show in `agate team status`.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../helpers/free-port';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server';
import { CLI, CliServer, cleanEnv, ensureCliBuilt, runCli } from '../foundation/cli-process';

const ROOT = path.resolve(__dirname, '../../..');
const UNIT = fs.readFileSync(path.join(ROOT, 'deploy/agate.service'), 'utf8');
const DOCKERFILE = fs.readFileSync(path.join(ROOT, 'deploy/Dockerfile'), 'utf8');

/** The unit's ExecStart, split as systemd splits it (no quoting is used in ours). */
function execStart(): string[] {
  const line = UNIT.split('\n').find((l) => l.startsWith('ExecStart='));
  assert.ok(line, 'the unit has an ExecStart');
  return line.slice('ExecStart='.length).trim().split(/\s+/);
}

/** A Dockerfile instruction in exec (JSON array) form. */
function execForm(instruction: string): string[] {
  const line = DOCKERFILE.split('\n').find((l) => l.startsWith(`${instruction} [`));
  assert.ok(line, `the Dockerfile has ${instruction} in exec form`);
  return JSON.parse(line.slice(instruction.length + 1)) as string[];
}

const flagsOf = (args: string[]) => args.filter((arg) => arg.startsWith('--'));
const valueAfter = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

/** The command with its machine paths replaced: a temp data dir and a free port. */
function mapped(args: string[], dataDir: string, port: number): string[] {
  return args.map((arg, index) => {
    if (args[index - 1] === '--data-dir') return dataDir;
    if (args[index - 1] === '--port') return String(port);
    return arg;
  });
}

describe('team: deployment files', function () {
  this.timeout(90_000);
  let redis: RedisServer;
  const servers: CliServer[] = [];
  const dirs: string[] = [];
  before(async () => {
    ensureCliBuilt();
    redis = await startRedisServer();
  });
  after(async () => {
    for (const server of servers) await server.stop();
    await redis?.stop();
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the unit and the Dockerfile use only flags `agate serve --help` lists, and the same port everywhere', async () => {
    const help = (await runCli(['serve', '--help'])).stdout;
    const unit = execStart();
    assert.equal(unit[0], '/usr/bin/node');
    assert.equal(path.basename(unit[1]), 'cli.js');
    const docker = [...execForm('ENTRYPOINT'), ...execForm('CMD')];
    assert.deepEqual(docker.slice(0, 2), ['node', '/app/dist/cli.js']);
    for (const args of [unit.slice(2), docker.slice(2)]) {
      assert.equal(args[0], 'serve');
      for (const flag of flagsOf(args)) assert.ok(help.includes(flag), `${flag} is not in "agate serve --help"`);
      assert.equal(valueAfter(args, '--port'), '8045');
    }
    assert.match(DOCKERFILE, /^EXPOSE 8045$/m);
    assert.match(DOCKERFILE, /127\.0\.0\.1:8045\/healthz/);
    // What the build stage runs and copies exists in the repository and in its build output.
    assert.match(DOCKERFILE, /RUN node esbuild\.mjs --production/);
    assert.match(fs.readFileSync(path.join(ROOT, 'esbuild.mjs'), 'utf8'), /--production/);
    for (const built of ['dist/cli.js', 'dist/sql-wasm.wasm', 'dist/webview']) assert.ok(fs.existsSync(path.join(ROOT, built)), `${built} is built`);
    // The packages and the CLI's parts the bundle requires from beside it on first use (ioredis: team mode;
    // cli-tools.js: `agate team status`) go into the image too.
    for (const side of ['undici.js', 'ajv.js', 'ioredis.js', 'sql-js.js', 'cli-tools.js', 'simulator.js']) {
      assert.ok(fs.existsSync(path.join(ROOT, 'dist', side)), `dist/${side} is built`);
      assert.ok(DOCKERFILE.includes(`/src/dist/${side} `), `the Dockerfile copies dist/${side}`);
    }
    // The environment both files document is what the gateway reads.
    for (const file of [UNIT, DOCKERFILE]) {
      assert.match(file, /AGATE_REDIS_URL/);
      assert.match(file, /AGATE_REDIS_SECRET_KEY/);
    }
  });

  it('both commands start, join one team through AGATE_REDIS_URL, answer /healthz and show in `agate team status`', async () => {
    const env = cleanEnv({ AGATE_REDIS_URL: redis.url, AGATE_REDIS_SECRET_KEY: 'deploy-test-secret' });
    const commands = { unit: execStart().slice(2), docker: [...execForm('ENTRYPOINT'), ...execForm('CMD')].slice(2) };
    const ports: number[] = [];
    for (const [name, args] of Object.entries(commands)) {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `agate-deploy-${name}-`));
      dirs.push(dataDir);
      const port = await freePort();
      ports.push(port);
      const server = CliServer.start(mapped(args, dataDir, port), env);
      servers.push(server);
      await server.waitFor(/Agate is listening on (\S+)/, 30_000);
    }
    for (const port of ports) {
      const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as { team?: { connected?: boolean } };
      assert.equal(health.team?.connected, true, JSON.stringify(health));
    }
    const status = await runCli(['team', 'status', '--json'], env);
    assert.equal(status.code, 0, status.stderr);
    const instances = JSON.parse(status.stdout) as unknown;
    const list = (Array.isArray(instances) ? instances : (instances as { instances: unknown[] }).instances) as Array<{ pid?: number }>;
    const pids = servers.map((server) => server.child.pid);
    for (const pid of pids)
      assert.ok(
        list.some((instance) => instance.pid === pid),
        `instance ${pid} in ${status.stdout}`,
      );
    assert.ok(fs.existsSync(CLI));
  });
});
