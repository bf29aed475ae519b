/**
 * Open-loop load generator, run as its own process (the orchestrator talks to
 * it over IPC). Requests go out on a fixed schedule whatever the server does,
 * and every latency is measured from the request's *scheduled* send time, so a
 * server (or generator) that falls behind shows up in the numbers instead of
 * silently slowing the offered load down (coordinated omission).
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { summarize } from './lib/stats.mjs';

/** The answer of every simulator reply starts with this word: its arrival is the first token. */
const CONTENT_MARKER = 'Hello';

const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 4096 });

/** One request: total time, first byte, first content token, chunk gaps — all in ms from `scheduled`. */
function send(target, body, scheduled, done) {
  const sample = { scheduled, status: 0, total: NaN, ttfb: NaN, ttft: NaN, chunks: 0, gapMean: NaN, gapMax: NaN, bytes: 0 };
  const request = http.request(
    { agent, host: target.host, port: target.port, path: target.path, method: 'POST', headers: { ...target.headers, 'content-length': body.length } },
    (response) => {
      sample.status = response.statusCode ?? 0;
      let last = -1;
      let gapSum = 0;
      let gapMax = 0;
      let tail = '';
      response.on('data', (chunk) => {
        const now = performance.now();
        if (last < 0) sample.ttfb = now - scheduled;
        else {
          gapSum += now - last;
          gapMax = Math.max(gapMax, now - last);
        }
        if (Number.isNaN(sample.ttft)) {
          // The marker may straddle two reads: look at the end of the previous one too.
          const text = tail + chunk.toString('latin1');
          if (text.includes(CONTENT_MARKER)) sample.ttft = now - scheduled;
          else tail = text.slice(-CONTENT_MARKER.length);
        }
        last = now;
        sample.chunks++;
        sample.bytes += chunk.length;
      });
      response.on('end', () => {
        sample.total = performance.now() - scheduled;
        if (sample.chunks > 1) {
          sample.gapMean = gapSum / (sample.chunks - 1);
          sample.gapMax = gapMax;
        }
        done(sample);
      });
      response.on('error', () => done(sample));
    },
  );
  request.on('error', () => done(sample));
  request.end(body);
}

/**
 * `rate` requests a second for `durationMs`; samples scheduled in the first
 * `warmupMs` are sent but not reported. Resolves when every request ended
 * (or `drainMs` after the last one was due: the rest count as timeouts).
 */
function run({ target, rate, durationMs, warmupMs = 0, drainMs = 15_000 }) {
  const url = new URL(target.url);
  const destination = { host: url.hostname, port: Number(url.port), path: url.pathname + url.search, headers: target.headers ?? {} };
  const body = Buffer.from(target.body);
  const total = Math.max(1, Math.round((rate * durationMs) / 1000));
  const interval = 1000 / rate;
  const start = performance.now() + 5;
  const samples = [];
  let sent = 0;
  let ended = 0;
  let lagMax = 0;
  return new Promise((resolve) => {
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(drainTimer);
      const measured = samples.filter((s) => s.scheduled >= start + warmupMs);
      resolve({ rate, durationMs, sent, completed: ended, timedOut: sent - ended, schedulerLagMaxMs: lagMax, ...summarize(measured) });
    };
    let drainTimer;
    const onDone = (sample) => {
      samples.push(sample);
      ended++;
      if (sent === total && ended === total) finish();
    };
    const tick = () => {
      const now = performance.now();
      while (sent < total && start + sent * interval <= now) {
        const scheduled = start + sent * interval;
        lagMax = Math.max(lagMax, now - scheduled);
        sent++;
        send(destination, body, scheduled, onDone);
      }
      if (sent < total) setTimeout(tick, Math.max(0, start + sent * interval - performance.now()));
      else drainTimer = setTimeout(finish, drainMs);
    };
    setTimeout(tick, Math.max(0, start - performance.now()));
  });
}

process.on('message', async (message) => {
  if (message.type === 'run') process.send({ type: 'result', id: message.id, result: await run(message) });
  if (message.type === 'exit') {
    agent.destroy();
    process.disconnect();
  }
});
process.send({ type: 'ready' });
