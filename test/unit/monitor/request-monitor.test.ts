import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { maskRecord } from '../../../src/core/monitor/mask';
import { RequestMonitor, type MonitorEvent } from '../../../src/core/monitor/request-monitor';
import { finishedRequest, RecordingLogger, tempDir } from './helpers';
import { waitUntil } from '../../helpers/wait-until';

const logLines = (dir: string, file = 'requests.jsonl'): string[] => fs.readFileSync(path.join(dir, file), 'utf8').split('\n').filter(Boolean);

describe('request monitor', () => {
  let dir: string;
  let logger: RecordingLogger;
  beforeEach(() => {
    dir = tempDir();
    logger = new RecordingLogger();
  });
  afterEach(() => assert.deepEqual(logger.warnings, []));

  it('keeps only the newest requests in memory, newest first', async () => {
    const monitor = await RequestMonitor.open({ dir, logger, settings: { ringSize: 5 } });
    for (let i = 1; i <= 12; i++) monitor.finished(finishedRequest({ id: `r${i}` }));
    assert.deepEqual(
      monitor.list({ limit: 100 }).map((r) => r.id),
      ['r12', 'r11', 'r10', 'r9', 'r8'],
    );
    await monitor.close();
  });

  it('shows a request in flight from start to finish, and streams both events to subscribers', async () => {
    const monitor = await RequestMonitor.open({ dir, logger });
    const events: MonitorEvent[] = [];
    const unsubscribe = monitor.subscribe((event) => events.push(event));
    const record = finishedRequest({ id: 'live' });
    monitor.started({ id: 'live', startedAt: record.startedAt, protocol: 'openai-chat', path: '/v1/chat/completions', stream: false, clientModel: 'gpt-5' });
    assert.deepEqual(
      monitor.inFlight().map((r) => r.id),
      ['live'],
    );
    monitor.finished(record);
    assert.deepEqual(monitor.inFlight(), []);
    assert.deepEqual(
      events.map((e) => e.type),
      ['started', 'finished'],
    );
    assert.equal(events[1].type === 'finished' && events[1].record, record);

    unsubscribe();
    monitor.finished(finishedRequest());
    assert.equal(events.length, 2, 'no events after unsubscribing');
    await monitor.close();
  });

  it('a throwing subscriber neither breaks the request nor the other subscribers', async () => {
    const monitor = await RequestMonitor.open({ dir, logger });
    let seen = 0;
    monitor.subscribe(() => {
      throw new Error('broken panel');
    });
    monitor.subscribe(() => seen++);
    monitor.finished(finishedRequest());
    assert.equal(seen, 1);
    assert.deepEqual(logger.warnings, ['A request monitor listener failed']);
    logger.warnings.length = 0;
    await monitor.close();
  });

  it('filters by status, model (client or upstream), account (email or id) and protocol', async () => {
    const monitor = await RequestMonitor.open({ dir, logger });
    monitor.finished(finishedRequest({ id: 'ok', protocol: 'gemini' }));
    monitor.finished(finishedRequest({ id: 'limited', status: 429, accountEmail: 'bob@example.com', accountId: 'acc_2' }));
    monitor.finished(finishedRequest({ id: 'cancelled', status: 499 }));
    monitor.finished(finishedRequest({ id: 'aliased', clientModel: 'claude-3-5-sonnet', upstreamModel: 'gemini-3-flash' }));

    const ids = (query: Parameters<RequestMonitor['list']>[0]) => monitor.list(query).map((r) => r.id);
    assert.deepEqual(ids({ status: 'error' }), ['limited']);
    assert.deepEqual(ids({ status: 'ok' }), ['aliased', 'ok']);
    assert.deepEqual(ids({ status: 499 }), ['cancelled']);
    assert.deepEqual(ids({ model: 'claude-3-5-sonnet' }), ['aliased']);
    assert.deepEqual(ids({ model: 'gemini-3-flash' }), ['aliased']);
    assert.deepEqual(ids({ account: 'bob@example.com' }), ['limited']);
    assert.deepEqual(ids({ account: 'acc_2' }), ['limited']);
    assert.deepEqual(ids({ protocol: 'gemini' }), ['ok']);
    assert.deepEqual(ids({ protocol: 'anthropic', status: 'error' }), ['limited']);
    await monitor.close();
  });

  it('pages with `before` and `limit`', async () => {
    const monitor = await RequestMonitor.open({ dir, logger });
    for (let i = 1; i <= 7; i++) monitor.finished(finishedRequest({ id: `r${i}` }));
    const first = monitor.list({ limit: 3 });
    assert.deepEqual(
      first.map((r) => r.id),
      ['r7', 'r6', 'r5'],
    );
    assert.deepEqual(
      monitor.list({ limit: 3, before: 'r5' }).map((r) => r.id),
      ['r4', 'r3', 'r2'],
    );
    assert.deepEqual(
      monitor.list({ limit: 3, before: 'r2' }).map((r) => r.id),
      ['r1'],
    );
    assert.deepEqual(monitor.list({ before: 'evicted-long-ago' }), []);
    await monitor.close();
  });

  it('writes one JSON line per request, off the request path, and close() flushes them', async () => {
    const monitor = await RequestMonitor.open({ dir, logger, settings: { flushIntervalMs: 60_000 } });
    monitor.finished(finishedRequest({ id: 'a', error: 'upstream said no' }));
    monitor.finished(finishedRequest({ id: 'b' }));
    assert.equal(fs.existsSync(path.join(dir, 'requests.jsonl')), false, 'nothing written synchronously');
    await monitor.close();
    const lines = logLines(dir).map((line) => JSON.parse(line));
    assert.deepEqual(
      lines.map((r) => r.id),
      ['a', 'b'],
    );
    assert.equal(lines[0].error, 'upstream said no');
    assert.equal(lines[0].usage.cachedInputTokens, 20);
  });

  it('writes a full batch without waiting for the interval', async () => {
    const monitor = await RequestMonitor.open({ dir, logger, settings: { flushIntervalMs: 60_000, flushBatch: 10 } });
    for (let i = 0; i < 10; i++) monitor.finished(finishedRequest());
    await waitUntil(() => fs.existsSync(path.join(dir, 'requests.jsonl')) && logLines(dir).length === 10, 'the batch on disk');
    await monitor.close();
  });

  it('rolls the log at the size limit and deletes the oldest file', async () => {
    const monitor = await RequestMonitor.open({ dir, logger, settings: { maxFileBytes: 2000, maxFiles: 3, flushBatch: 7 } });
    const lineBytes = Buffer.byteLength(JSON.stringify(finishedRequest({ id: 'r000' }))) + 1;
    const total = 60;
    for (let i = 0; i < total; i++) {
      monitor.finished(finishedRequest({ id: `r${String(i).padStart(3, '0')}` }));
      if (i % 13 === 0) await monitor.flush();
    }
    await monitor.close();

    assert.deepEqual(fs.readdirSync(dir).sort(), ['requests.1.jsonl', 'requests.2.jsonl', 'requests.jsonl']);
    const perFile = Math.floor(2000 / lineBytes);
    for (const file of ['requests.2.jsonl', 'requests.1.jsonl']) {
      const size = fs.statSync(path.join(dir, file)).size;
      assert.ok(size <= 2000 && size > 2000 - lineBytes, `${file} rolled at the limit (${size} bytes)`);
      assert.equal(logLines(dir, file).length, perFile);
    }
    // The three files hold the newest requests, in order, with nothing missing in between.
    const kept = ['requests.2.jsonl', 'requests.1.jsonl', 'requests.jsonl'].flatMap((file) => logLines(dir, file).map((l) => JSON.parse(l).id));
    const expected = Array.from({ length: kept.length }, (_, i) => `r${String(total - kept.length + i).padStart(3, '0')}`);
    assert.deepEqual(kept, expected);
    assert.ok(kept.length < total, 'the oldest requests were deleted');
  });

  it('refills the live view from the log after a restart, across rolled files, skipping a torn last line', async () => {
    const first = await RequestMonitor.open({ dir, logger, settings: { maxFileBytes: 3000 } });
    for (let i = 1; i <= 20; i++) first.finished(finishedRequest({ id: `r${i}` }));
    await first.close();
    fs.appendFileSync(path.join(dir, 'requests.jsonl'), '{"id":"torn","startedAt":17');
    assert.ok(fs.existsSync(path.join(dir, 'requests.1.jsonl')), 'the log rolled');

    const second = await RequestMonitor.open({ dir, logger, settings: { ringSize: 12 } });
    assert.deepEqual(
      second.list().map((r) => r.id),
      Array.from({ length: 12 }, (_, i) => `r${20 - i}`),
    );
    second.finished(finishedRequest({ id: 'r21' }));
    await second.close();
    const lines = logLines(dir).map((line) => JSON.parse(line));
    assert.equal(lines[lines.length - 1].id, 'r21', 'the torn line was cut, not glued to the next one');
  });

  it('masks account emails for screens that hide identities', () => {
    const record = finishedRequest({
      accountEmail: 'alice.smith@gmail.com',
      attempts: [{ accountId: 'a', accountEmail: 'bo@x.io', model: 'm', startedAt: 0, durationMs: 1, outcome: 'rate_limited' }],
    });
    const masked = maskRecord(record);
    assert.equal(masked.accountEmail, 'al***@gmail.com');
    assert.equal(masked.attempts[0].accountEmail, 'b***@x.io');
    assert.equal(record.accountEmail, 'alice.smith@gmail.com', 'the original is untouched');
  });
});
