/**
 * Client-key limits across a team, against a real redis-server: two limiters (two instances, each with its
 * own connection) share one key's counters. Concurrency slots are leases that a crashed instance cannot keep
 * past their expiry; token totals reach the other instance; a Redis that restarted empty (its scripts
 * forgotten) still counts; a Redis that is gone leaves each instance counting alone, never failing a request.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { GatewayError } from '../../../src/core/errors';
import { silentLogger } from '../../../src/core/ports';
import { KeyUsage, type LimitedKey } from '../../../src/core/security/key-usage';
import { createTeamConnection, type TeamConnection } from '../../../src/core/team/connection';
import { createRedisKeyCounters } from '../../../src/core/team/shared-key-usage';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server';
import { waitUntil } from '../../helpers/wait-until';
import { ManualClock, MemoryDocuments } from '../../unit/security/memory-documents';

const key = (limits: LimitedKey['limits']): LimitedKey => ({ id: `k${crypto.randomBytes(3).toString('hex')}`, name: 'shared', limits });

async function refusal(admit: Promise<unknown>): Promise<GatewayError> {
  const err = await admit.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof GatewayError, 'expected a refusal');
  assert.equal(err.kind, 'rate_limit');
  return err;
}

describe('team: client-key counters shared through Redis', function () {
  this.timeout(30_000);
  let redis: RedisServer;
  const connections: TeamConnection[] = [];
  const usages: KeyUsage[] = [];
  let clock: ManualClock;
  let prefix: string;

  before(async () => {
    redis = await startRedisServer();
  });
  after(async () => {
    for (const usage of usages) await usage.close();
    for (const connection of connections) await connection.close();
    await redis?.stop();
  });
  beforeEach(() => {
    // Five seconds into a minute, so that no test's window ends under it.
    clock = new ManualClock(Date.UTC(2025, 0, 15, 10, 0, 5));
    prefix = `agate-test-${crypto.randomBytes(3).toString('hex')}:`;
  });

  /** One instance's limiter: its own connection to the team's Redis. */
  async function instance(): Promise<KeyUsage> {
    const connection = createTeamConnection({ url: redis.url, keyPrefix: prefix, logger: silentLogger });
    connections.push(connection);
    assert.ok(await connection.ready(5_000));
    const usage = await KeyUsage.open({
      documents: new MemoryDocuments(),
      clock,
      logger: silentLogger,
      shared: createRedisKeyCounters(connection, { logger: silentLogger }),
    });
    usages.push(usage);
    return usage;
  }

  it('concurrency: two instances share the slots; a released slot is free on the other', async () => {
    const [a, b] = [await instance(), await instance()];
    const limited = key({ maxConcurrent: 2 });
    const first = await a.admitAcrossTeam(limited);
    await b.admitAcrossTeam(limited);
    assert.match((await refusal(a.admitAcrossTeam(limited))).message, /2 concurrent requests/);
    first();
    await waitUntil(
      async () =>
        await a.admitAcrossTeam(limited).then(
          () => true,
          () => false,
        ),
      'the released slot to be free',
    );
  });

  it("a crashed instance's slot lapses with its lease", async () => {
    const [a, b] = [await instance(), await instance()];
    const limited = key({ maxConcurrent: 1 });
    await a.admitAcrossTeam(limited); // never released: the instance "crashed"
    await refusal(b.admitAcrossTeam(limited));
    clock.advance(31 * 60_000);
    await b.admitAcrossTeam(limited);
  });

  it('tokens counted on one instance close the key on the other; the minute ends, the key opens', async () => {
    const [a, b] = [await instance(), await instance()];
    const limited = key({ tokensPerMinute: 100 });
    (await a.admitAcrossTeam(limited))();
    a.addTokens(limited.id, 120);
    await waitUntil(
      async () =>
        await b.admitAcrossTeam(limited).then(
          () => false,
          () => true,
        ),
      'the tokens to reach the other instance',
    );
    const refused = await refusal(b.admitAcrossTeam(limited));
    assert.match(refused.message, /100 tokens per minute/);
    assert.equal(refused.retryAfterSeconds, 55);
    clock.advance(55_000);
    (await b.admitAcrossTeam(limited))();
  });

  it('rpd counts the team: the day total is what each instance reports', async () => {
    const [a, b] = [await instance(), await instance()];
    const limited = key({ requestsPerDay: 3 });
    (await a.admitAcrossTeam(limited))();
    (await b.admitAcrossTeam(limited))();
    (await a.admitAcrossTeam(limited))();
    assert.match((await refusal(b.admitAcrossTeam(limited))).message, /3 requests per day/);
    assert.equal(a.today(limited.id).requests, 3);
  });

  it('Redis restarted empty (scripts forgotten): counting goes on; Redis gone: each instance counts alone', async () => {
    const [a, b] = [await instance(), await instance()];
    const limited = key({ requestsPerMinute: 2 });
    (await a.admitAcrossTeam(limited))();
    await redis.restart();
    await waitUntil(() => connections.slice(-2).every((connection) => connection.healthy), 'both to reconnect');
    (await b.admitAcrossTeam(limited))();
    (await a.admitAcrossTeam(limited))();
    await refusal(b.admitAcrossTeam(limited));

    await redis.restart();
    await waitUntil(() => connections.slice(-2).every((connection) => connection.healthy), 'both to reconnect');
    // Gone: no connection → the local counters decide (each instance saw its own requests of this minute).
    for (const connection of connections.slice(-2)) await connection.close();
    await refusal(a.admitAcrossTeam(limited)); // a counted 2 of its own this minute
    (await b.admitAcrossTeam(limited))(); // b counted 1
  });
});
