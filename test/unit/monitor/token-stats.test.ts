import assert from 'node:assert/strict';
import fs from 'node:fs';
import { TokenStats, type TokenStatsSettings } from '../../../src/core/monitor/token-stats';
import { FakeClock, finishedRequest, RecordingLogger, tempDir } from './helpers';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const JAN_15 = Date.UTC(2030, 0, 15);
const JAN_16 = Date.UTC(2030, 0, 16);

/** Timers never fire on their own in these tests: snapshots and flushes are explicit. */
const MANUAL: Partial<TokenStatsSettings> = { journalFlushMs: 60_000, snapshotIntervalMs: 3_600_000 };

describe('token stats', () => {
  let dir: string;
  let logger: RecordingLogger;
  let clock: FakeClock;
  const open = (settings: Partial<TokenStatsSettings> = {}) => TokenStats.open({ dir, logger, clock, settings: { ...MANUAL, ...settings } });
  beforeEach(() => {
    dir = tempDir();
    logger = new RecordingLogger();
    clock = new FakeClock(JAN_16 + 12 * HOUR);
  });
  afterEach(() => assert.deepEqual(logger.warnings, []));

  it('buckets requests by their start hour and day (UTC), across both boundaries', async () => {
    const stats = await open();
    stats.record(finishedRequest({ startedAt: JAN_16 - 1 }));
    stats.record(finishedRequest({ startedAt: JAN_16 }));
    stats.record(finishedRequest({ startedAt: JAN_16 + 30 * 60_000, status: 500, usage: undefined }));
    stats.record(finishedRequest({ startedAt: JAN_16 + HOUR }));

    const hourly = stats.query({ from: JAN_16 - HOUR + 5, to: JAN_16 + 2 * HOUR, granularity: 'hour', groupBy: 'none' });
    assert.deepEqual(hourly.buckets, [JAN_16 - HOUR, JAN_16, JAN_16 + HOUR]);
    assert.equal(hourly.series.length, 1);
    const [all] = hourly.series;
    assert.deepEqual(
      all.points.map((p) => p.requests),
      [1, 2, 1],
    );
    assert.deepEqual(
      all.points.map((p) => p.errors),
      [0, 1, 0],
    );
    assert.deepEqual(
      all.points.map((p) => p.inputTokens),
      [100, 100, 100],
    );
    assert.deepEqual(
      { ...all.total, p50Ms: undefined, p95Ms: undefined, p99Ms: undefined },
      {
        requests: 4,
        errors: 1,
        inputTokens: 300,
        outputTokens: 150,
        cachedTokens: 60,
        thinkingTokens: 30,
        spendUsd: 0,
        spend: { uncachedInputUsd: 0, cachedInputUsd: 0, cacheWriteUsd: 0, outputUsd: 0 },
        p50Ms: undefined,
        p95Ms: undefined,
        p99Ms: undefined,
      },
    );

    const daily = stats.query({ from: JAN_15, to: JAN_16 + DAY, granularity: 'day', groupBy: 'none' });
    assert.deepEqual(daily.buckets, [JAN_15, JAN_16]);
    assert.deepEqual(
      daily.series[0].points.map((p) => p.requests),
      [1, 3],
    );
    await stats.close();
  });

  it('groups by model (the upstream one; none for a request that never reached upstream), account and client key, busiest first, zero-filled', async () => {
    const stats = await open();
    const at = JAN_16 + 2 * HOUR;
    stats.record(finishedRequest({ startedAt: at, upstreamModel: 'gemini-3-flash', clientKey: 'laptop' }));
    stats.record(finishedRequest({ startedAt: at, upstreamModel: 'gemini-3-flash', accountEmail: 'bob@example.com' }));
    stats.record(finishedRequest({ startedAt: at + HOUR, clientModel: 'mystery', upstreamModel: undefined, accountEmail: undefined, status: 503 }));
    const query = (groupBy: 'model' | 'account' | 'clientKey') =>
      stats.query({ from: at, to: at + 3 * HOUR, granularity: 'hour', groupBy }).series.map((s) => [s.key, s.points.map((p) => p.requests)]);

    // The client's name for a model that never reached upstream is not a model.
    assert.deepEqual(query('model'), [
      ['gemini-3-flash', [2, 0, 0]],
      ['', [0, 1, 0]],
    ]);
    assert.deepEqual(query('account'), [
      ['', [0, 1, 0]],
      ['alice@example.com', [1, 0, 0]],
      ['bob@example.com', [1, 0, 0]],
    ]);
    assert.deepEqual(query('clientKey'), [
      ['', [1, 1, 0]],
      ['laptop', [1, 0, 0]],
    ]);
    const empty = stats.query({ from: at - DAY, to: at - DAY + HOUR, granularity: 'hour', groupBy: 'none' });
    assert.deepEqual(empty.series, []);
    assert.throws(() => stats.query({ from: 0, to: JAN_16, granularity: 'hour', groupBy: 'none' }), RangeError);
    await stats.close();
  });

  it('reports latency percentiles within a few percent, for hours and for the day merged from them', async () => {
    const stats = await open();
    // 1..1000 ms, spread over 24 hours in a shuffled order.
    for (let i = 0; i < 1000; i++) {
      const latencyMs = ((i * 7919) % 1000) + 1;
      stats.record(finishedRequest({ startedAt: JAN_15 + (i % 24) * HOUR, latencyMs }));
    }
    const [day] = stats.query({ from: JAN_15, to: JAN_16, granularity: 'day', groupBy: 'none' }).series;
    const near = (actual: number | null, expected: number) =>
      assert.ok(actual !== null && Math.abs(actual - expected) <= expected * 0.05, `${actual} is within 5 % of ${expected}`);
    near(day.total.p50Ms, 500);
    near(day.total.p95Ms, 950);
    near(day.total.p99Ms, 990);

    const hourly = stats.query({ from: JAN_15, to: JAN_16, granularity: 'hour', groupBy: 'none' }).series[0].points;
    assert.ok(
      hourly.every((p) => p.p50Ms !== null && p.p50Ms > 300 && p.p50Ms < 700),
      'each hour holds a spread of latencies',
    );
    const [idle] = stats.query({ from: JAN_15, to: JAN_16 + HOUR, granularity: 'hour', groupBy: 'none' }).series[0].points.slice(-1);
    assert.equal(idle.p50Ms, null, 'an hour without requests has no percentile');
    await stats.close();
  });

  it('drops buckets past the retention, in memory and on disk, while running and on start', async () => {
    let stats = await open({ retentionDays: 3, snapshotIntervalMs: 20 });
    stats.record(finishedRequest({ startedAt: JAN_16 - 2 * DAY }));
    stats.record(finishedRequest({ startedAt: JAN_16 }));
    await stats.snapshot();
    const dayFiles = () =>
      fs
        .readdirSync(dir)
        .filter((name) => name.startsWith('day-'))
        .sort();
    assert.deepEqual(dayFiles(), ['day-2030-01-14.json', 'day-2030-01-16.json']);

    clock.time += 2 * DAY; // now Jan 18: the horizon is Jan 15
    const total = () => stats.query({ from: JAN_15 - 5 * DAY, to: JAN_16 + DAY, granularity: 'day', groupBy: 'none' }).series[0]?.total.requests;
    // The timer prunes memory first and deletes the file after: wait for both (a slow machine may see one alone).
    const pruned = () => total() === 1 && dayFiles().length === 1;
    for (let waited = 0; !pruned() && waited < 10_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    assert.equal(total(), 1, 'the snapshot timer pruned Jan 14');
    assert.deepEqual(dayFiles(), ['day-2030-01-16.json']);
    stats.record(finishedRequest({ startedAt: JAN_15 - 1 }));
    assert.equal(total(), 1, 'a request older than the retention is not counted');
    await stats.close();

    clock.time += 2 * DAY; // Jan 20: the horizon is Jan 17
    stats = await open({ retentionDays: 3 });
    assert.equal(total(), undefined);
    assert.deepEqual(fs.readdirSync(dir), []);
    await stats.close();
  });

  it('exports a CSV row per bucket × model × account × client key, with a header, quoting and formula guards', async () => {
    const stats = await open();
    stats.record(finishedRequest({ startedAt: JAN_16 + 10 * 60_000, latencyMs: 100 }));
    stats.record(finishedRequest({ startedAt: JAN_16 + 50 * 60_000, latencyMs: 100, status: 429 }));
    stats.record(finishedRequest({ startedAt: JAN_16 + HOUR, clientKey: 'ci, "nightly"', latencyMs: 100 }));
    stats.record(finishedRequest({ startedAt: JAN_16 + HOUR, upstreamModel: '=HYPERLINK("x")', accountEmail: undefined, latencyMs: 100 }));

    const header =
      'bucket_start,granularity,model,account,client_key,requests,errors,input_tokens,output_tokens,cached_tokens,thinking_tokens,p50_ms,p95_ms,p99_ms' +
      ',spend_usd,uncached_input_usd,cached_input_usd,cache_write_usd,output_usd';
    assert.equal(
      stats.exportCsv({ from: JAN_16, to: JAN_16 + DAY, granularity: 'hour' }),
      [
        header,
        '2030-01-16T00:00:00.000Z,hour,claude-sonnet-4-6,alice@example.com,,2,1,200,100,40,20,100,100,100,0,0,0,0,0',
        `2030-01-16T01:00:00.000Z,hour,"'=HYPERLINK(""x"")",,,1,0,100,50,20,10,100,100,100,0,0,0,0,0`,
        '2030-01-16T01:00:00.000Z,hour,claude-sonnet-4-6,alice@example.com,"ci, ""nightly""",1,0,100,50,20,10,100,100,100,0,0,0,0,0',
        '',
      ].join('\r\n'),
    );
    assert.equal(
      stats.exportCsv({ from: JAN_16, to: JAN_16 + DAY, granularity: 'day' }).split('\r\n')[3],
      '2030-01-16T00:00:00.000Z,day,claude-sonnet-4-6,alice@example.com,"ci, ""nightly""",1,0,100,50,20,10,100,100,100,0,0,0,0,0',
    );
    assert.equal(stats.exportCsv({ from: JAN_15, to: JAN_16, granularity: 'day' }), header + '\r\n');
    await stats.close();
  });

  it('exports the spend of provider requests at the end of each row: total, then uncached input, cached input, cache write, output', async () => {
    // Sonnet rates ($3 in, $0.30 cached, $3.75 cache write, $15 out per million), 100 input of which 20 read and 30 written, 60 output.
    const price = (record: { accountId?: string }) =>
      record.accountId === 'provider:p1' ? { uncachedInputUsd: 0.00015, cachedInputUsd: 0.000006, cacheWriteUsd: 0.0001125, outputUsd: 0.0009 } : undefined;
    const stats = await TokenStats.open({ dir, logger, clock, settings: MANUAL, price });
    stats.record(finishedRequest({ startedAt: JAN_16, accountId: 'provider:p1', accountEmail: 'provider paid', latencyMs: 100 }));
    stats.record(finishedRequest({ startedAt: JAN_16 + 60_000, accountId: 'provider:p1', accountEmail: 'provider paid', latencyMs: 100 }));
    stats.record(finishedRequest({ startedAt: JAN_16, latencyMs: 100 }));
    const rows = stats.exportCsv({ from: JAN_16, to: JAN_16 + DAY, granularity: 'day' }).split('\r\n');
    assert.equal(rows[0].split(',').slice(-5).join(','), 'spend_usd,uncached_input_usd,cached_input_usd,cache_write_usd,output_usd');
    assert.equal(rows[1], '2030-01-16T00:00:00.000Z,day,claude-sonnet-4-6,alice@example.com,,1,0,100,50,20,10,100,100,100,0,0,0,0,0');
    assert.equal(
      rows[2],
      '2030-01-16T00:00:00.000Z,day,claude-sonnet-4-6,provider paid,,2,0,200,100,40,20,100,100,100,0.002337,0.0003,0.000012,0.000225,0.0018',
    );
    await stats.close();
  });

  it('close() writes everything: a restart sees the same numbers and no journal is left', async () => {
    const stats = await open();
    for (let i = 0; i < 50; i++) stats.record(finishedRequest({ startedAt: JAN_15 + i * HOUR, latencyMs: 10 * (i + 1) }));
    const before = stats.query({ from: JAN_15, to: JAN_15 + 3 * DAY, granularity: 'day', groupBy: 'model' });
    await stats.close();
    assert.deepEqual(fs.readdirSync(dir).sort(), ['day-2030-01-15.json', 'day-2030-01-16.json', 'day-2030-01-17.json']);

    const reopened = await open();
    assert.deepEqual(reopened.query({ from: JAN_15, to: JAN_15 + 3 * DAY, granularity: 'day', groupBy: 'model' }), before);
    await reopened.close();
  });

  it('keeps a request recorded while a snapshot is being written', async () => {
    const crashed = await open();
    crashed.record(finishedRequest({ startedAt: JAN_16 }));
    const snapshot = crashed.snapshot();
    crashed.record(finishedRequest({ startedAt: JAN_16 + HOUR }));
    await snapshot;
    crashed.record(finishedRequest({ startedAt: JAN_15 }));
    await crashed.flush();

    const reopened = await open();
    const [all] = reopened.query({ from: JAN_15, to: JAN_16 + DAY, granularity: 'hour', groupBy: 'none' }).series;
    assert.equal(all.total.requests, 3);
    await reopened.close();
  });

  it('after an unclean stop, replays the journal on top of the snapshot without counting anything twice', async () => {
    const crashed = await open();
    for (let i = 0; i < 30; i++) crashed.record(finishedRequest({ startedAt: JAN_16 + i * 60_000 }));
    await crashed.snapshot();
    for (let i = 0; i < 12; i++) crashed.record(finishedRequest({ startedAt: JAN_15 + i * 60_000 }));
    for (let i = 0; i < 5; i++) crashed.record(finishedRequest({ startedAt: JAN_16 + HOUR }));
    await crashed.flush(); // the journal is on disk; no second snapshot: the process "dies" here
    assert.ok(fs.readdirSync(dir).some((name) => name.startsWith('journal-')));

    const requestsPerDay = (stats: TokenStats) =>
      stats.query({ from: JAN_15, to: JAN_16 + DAY, granularity: 'day', groupBy: 'none' }).series[0].points.map((p) => p.requests);
    const first = await open();
    assert.deepEqual(requestsPerDay(first), [12, 35]);
    first.record(finishedRequest({ startedAt: JAN_16 }));
    await first.flush();
    await first.snapshot(); // writes the replayed days, deletes the replayed journals

    const second = await open();
    assert.deepEqual(requestsPerDay(second), [12, 36]);
    await second.close();
  });
});
