import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { RequestMonitor } from '../../../src/core/monitor/request-monitor';
import { TokenStats } from '../../../src/core/monitor/token-stats';
import { FakeClock, RecordingLogger, tempDir } from './helpers';

const root = path.resolve(__dirname, '../../..');
const BASE = Date.UTC(2030, 0, 1);
const FLUSH_MS = 100;
/** Scheduling slack on a busy machine, on top of the flush interval. */
const SLACK_MS = 400;
const PER_TICK = 50;

/**
 * A gateway that records requests as fast as a busy server would (one request
 * a minute of simulated time, so several days are in play), reporting how many
 * it has recorded; the test kills it with SIGKILL at a random moment.
 */
const writer = (dataDir: string, first: number) => `
  const { createObservability } = require(${JSON.stringify(path.join(root, 'src/core/monitor/observability.ts'))});
  (async () => {
    const observability = await createObservability({
      dataDir: ${JSON.stringify(dataDir)},
      logger: { trace() {}, debug() {}, info() {}, warn: console.error, error: console.error },
      clock: { now: () => ${BASE}, sleep: async () => {} },
      monitor: { flushIntervalMs: ${FLUSH_MS}, maxFileBytes: 300000, maxFiles: 3 },
      stats: { journalFlushMs: ${FLUSH_MS}, snapshotIntervalMs: 150 },
    });
    let n = ${first};
    const tick = () => {
      for (let i = 0; i < ${PER_TICK}; i++) {
        n++;
        const startedAt = ${BASE} + n * 60000;
        observability.observer.started({ id: 'r' + n, startedAt, protocol: 'openai-chat', path: '/v1/chat/completions', stream: true, clientModel: 'gpt-5' });
        observability.observer.finished({
          id: 'r' + n, startedAt, protocol: 'openai-chat', path: '/v1/chat/completions', stream: true,
          clientModel: 'gpt-5', upstreamModel: 'gemini-3-flash', accountId: 'a' + (n % 3), accountEmail: 'u' + (n % 3) + '@example.com',
          attempts: [], status: n % 17 === 0 ? 429 : 200, latencyMs: n % 1000, ttfbMs: 5,
          usage: { inputTokens: 10, cachedInputTokens: 1, outputTokens: 5, thinkingTokens: 2 },
        });
      }
      process.stdout.write(Date.now() + ' ' + n + '\\n');
      setTimeout(tick, 5);
    };
    tick();
  })();
`;

interface Report {
  time: number;
  recorded: number;
}

async function runAndKill(dataDir: string, first: number, runMs: number): Promise<Report[]> {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', '-e', writer(dataDir, first)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const reports: Report[] = [];
  let partial = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      const [time, recorded] = line.split(' ').map(Number);
      reports.push({ time, recorded });
    }
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  await new Promise((resolve) => setTimeout(resolve, runMs));
  child.kill('SIGKILL');
  await exited;
  reports.push({ time: Date.now(), recorded: NaN }); // the kill, for the bound below
  return reports;
}

/** Reads a copy, so that opening (and closing) the stats does not tidy up the files the next writer continues from. */
async function requestsCounted(statsDir: string): Promise<number> {
  const copy = tempDir();
  fs.cpSync(statsDir, copy, { recursive: true });
  const logger = new RecordingLogger();
  const stats = await TokenStats.open({ dir: copy, logger, clock: new FakeClock(BASE) });
  const [series] = stats.query({ from: BASE, to: BASE + 40 * 86_400_000, granularity: 'day', groupBy: 'none' }).series;
  await stats.close();
  assert.deepEqual(logger.warnings, [], 'nothing but a torn last line was damaged');
  return series?.total.requests ?? 0;
}

/** Every line parses, except that the last line of a file still being appended may be torn. */
function assertLinesParse(file: string, mayBeTorn: boolean): void {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const tail = lines.pop()!;
  lines.forEach((line, at) => assert.doesNotThrow(() => JSON.parse(line), `${path.basename(file)} line ${at + 1} is whole`));
  if (tail && !mayBeTorn) assert.fail(`${file} ends without a newline`);
}

describe('observability files survive kill -9', () => {
  it('a killed gateway loses at most the last flush interval of requests, never counts one twice, and leaves parseable files', async function () {
    this.timeout(60_000);
    const dataDir = tempDir();
    const statsDir = path.join(dataDir, 'stats');
    let counted = 0;
    // Three crashes in a row: each writer replays what the previous one left.
    for (const runMs of [700 + Math.random() * 400, 700 + Math.random() * 400, 900]) {
      const reports = await runAndKill(dataDir, counted, runMs);
      const killedAt = reports[reports.length - 1].time;
      const recorded = reports.filter((r) => !Number.isNaN(r.recorded));
      const lastReported = recorded[recorded.length - 1].recorded;
      const durable = recorded.filter((r) => r.time <= killedAt - FLUSH_MS - SLACK_MS).pop()?.recorded ?? counted;
      assert.ok(durable - counted > 500, 'the writer got going before it was killed');

      const now = await requestsCounted(statsDir);
      assert.ok(now >= durable, `${now} counted; everything recorded before the last flush interval (${durable}) must be`);
      assert.ok(now <= lastReported + PER_TICK, `${now} counted, more than the ${lastReported}+ recorded: something was counted twice`);

      for (const name of fs.readdirSync(statsDir)) {
        const file = path.join(statsDir, name);
        if (/^day-.*\.json$/.test(name)) JSON.parse(fs.readFileSync(file, 'utf8'));
        else if (name.startsWith('journal-')) assertLinesParse(file, true);
        else assert.match(name, /\.tmp$/, 'only the temp file of an interrupted snapshot may be left besides days and journals');
      }
      const monitorDir = path.join(dataDir, 'monitor');
      for (const name of fs.readdirSync(monitorDir)) assertLinesParse(path.join(monitorDir, name), name === 'requests.jsonl');

      const logger = new RecordingLogger();
      const monitor = await RequestMonitor.open({ dir: monitorDir, logger });
      const newest = Number(monitor.list({ limit: 1 })[0].id.slice(1));
      assert.ok(newest >= durable, `the request log holds request ${durable} (newest: ${newest})`);
      assert.deepEqual(logger.warnings, []);
      counted = now;
    }
  });
});
