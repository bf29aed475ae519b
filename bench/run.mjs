/**
 * `npm run bench`: what Agate adds over the upstream, side by side with a
 * bare node:http pass-through, every protocol, streaming and not.
 *
 *   node bench/run.mjs            full run (≈ 8 min), writes bench/results/<time>.{json,md,png}
 *   node bench/run.mjs --smoke    ≈ 10 s, one short step per protocol (CI)
 *
 * Processes: the simulator (`agate simulate`, fixed latency) and the load
 * generators share CPU 1; the gateway (`agate demo --simulator`, the serve
 * code path with the simulator's demo account) and the pass-through get CPU 0.
 * It is a benchmark: it reports, it never judges. Only a broken harness fails.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { openLoopClient } from './lib/open-loop-client.mjs';
import { median } from './lib/stats.mjs';
import { canPin, cpuMs, freePort, rssMb, spawnPinned, stopProcess, waitForHttp } from './lib/procs.mjs';
import { plotLines } from './lib/plot.mjs';
import { renderMarkdown, evaluateTargets } from './lib/report.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: flags } = parseArgs({
  options: { smoke: { type: 'boolean' }, out: { type: 'string' }, reps: { type: 'string' }, 'duration-ms': { type: 'string' } },
});
const smoke = flags.smoke === true;

const SIM = { latencyMs: 50, frameIntervalMs: 10 };
const MODEL = 'claude-sonnet-4-6';
const PROMPT = 'benchmark';
const plan = smoke
  ? { rates: [200], reps: 1, durationMs: 600, warmupMs: 100, saturationS: 1, saturationConnections: 32, translateIterations: 200, warmupRuns: false, drainMs: 30_000 }
  : { rates: [100, 200, 500, 1000], reps: 3, durationMs: 2000, warmupMs: 300, saturationS: 4, saturationConnections: 400, translateIterations: 3000, warmupRuns: true, drainMs: 5_000 };
if (flags.reps) plan.reps = Number(flags.reps);
if (flags['duration-ms']) plan.durationMs = Number(flags['duration-ms']);
const outDir = path.resolve(flags.out ?? path.join(root, 'bench/results'));
const cli = path.join(root, 'dist/cli.js');
if (!fs.existsSync(cli)) throw new Error('dist/cli.js is missing: run "npm run build" (npm run bench does it)');

const log = (line) => process.stderr.write(`[bench] ${line}\n`);

/** Inbound requests per protocol: the same prompt and model, so the simulator does the same work. */
const PROTOCOLS = {
  anthropic: (stream) => ({ path: '/v1/messages', body: { model: MODEL, max_tokens: 256, stream, messages: [{ role: 'user', content: PROMPT }] } }),
  'openai-chat': (stream) => ({ path: '/v1/chat/completions', body: { model: MODEL, max_tokens: 256, stream, messages: [{ role: 'user', content: PROMPT }] } }),
  // store:false as Codex sends it: the bench measures translation, not the in-memory response store.
  responses: (stream) => ({ path: '/v1/responses', body: { model: MODEL, max_output_tokens: 256, stream, store: false, input: PROMPT } }),
  gemini: (stream) => ({
    path: `/v1beta/models/${MODEL}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`,
    body: { contents: [{ role: 'user', parts: [{ text: PROMPT }] }], generationConfig: { maxOutputTokens: 256 } },
  }),
};

const children = [];
function track(child, name, logFile) {
  const out = fs.openSync(logFile, 'a');
  child.stdout?.on('data', (data) => fs.writeSync(out, data));
  child.stderr?.on('data', (data) => fs.writeSync(out, data));
  children.push({ child, name });
  return child;
}

async function main() {
  const started = Date.now();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'agate-bench-'));
  const logFile = path.join(work, 'processes.log');
  log(`work dir ${work}; pinning ${canPin ? 'with taskset (gateway: CPU 0, load + simulator: CPU 1)' : 'unavailable'}`);
  try {
    const [simPort, gatewayPort, plainPort, passPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const simUrl = `http://127.0.0.1:${simPort}`;
    const sim = track(
      spawnPinned(1, process.execPath, [cli, 'simulate', '--port', String(simPort), '--latency-ms', String(SIM.latencyMs), '--frame-interval-ms', String(SIM.frameIntervalMs), '--quota-cost', '0']),
      'simulator',
      logFile,
    );
    await waitForHttp(`${simUrl}/__sim/config`, sim);
    const simConfig = await (await fetch(`${simUrl}/__sim/config`)).json();

    const gatewayArgs = (port, dir, extra = []) => [cli, 'demo', '--simulator', simUrl, '--port', String(port), '--data-dir', path.join(work, dir), ...extra];
    const gateway = track(spawnPinned(0, process.execPath, gatewayArgs(gatewayPort, 'agate')), 'agate', logFile);
    // The same gateway without the dashboard stores (request monitor, token stats).
    const plain = track(spawnPinned(0, process.execPath, gatewayArgs(plainPort, 'agate-plain', ['--no-observability'])), 'agate-plain', logFile);
    const pass = track(spawnPinned(0, process.execPath, [path.join(root, 'bench/passthrough.mjs'), '--port', String(passPort), '--target', simUrl]), 'passthrough', logFile);
    const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    const plainUrl = `http://127.0.0.1:${plainPort}`;
    await Promise.all([
      waitForHttp(`${gatewayUrl}/healthz`, gateway),
      waitForHttp(`${plainUrl}/healthz`, plain),
      waitForHttp(`http://127.0.0.1:${passPort}/__sim/config`, pass),
    ]);
    // Let start-up work (account refresh, quota fetch) settle before the idle reading.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const idleRss = { agate: rssMb(gateway.pid), agatePlain: rssMb(plain.pid), passthrough: rssMb(pass.pid) };
    log(`idle RSS: agate ${idleRss.agate.toFixed(1)} MB, without stores ${idleRss.agatePlain.toFixed(1)} MB, pass-through ${idleRss.passthrough.toFixed(1)} MB`);

    // One request per protocol and mode, checked; the upstream bodies the gateway sent become the direct baseline.
    const upstreamBodies = {};
    const targets = {};
    for (const [protocol, make] of Object.entries(PROTOCOLS)) {
      for (const stream of [false, true]) {
        const { path: route, body } = make(stream);
        const name = `${protocol}${stream ? ' stream' : ''}`;
        const response = await fetch(gatewayUrl + route, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        const text = await response.text();
        if (!response.ok || !text.includes('Hello')) throw new Error(`probe ${name}: HTTP ${response.status} ${text.slice(0, 300)}`);
        const entries = await (await fetch(`${simUrl}/__sim/log`)).json();
        const upstream = entries.filter((entry) => entry.method === 'streamGenerateContent').at(-1);
        upstreamBodies[name] = { frames: upstream.frames, bytes: JSON.stringify(upstream.body).length };
        if (protocol === 'anthropic' && stream) upstreamBodies.baseline = upstream.body;
        targets[`agate ${name}`] = { kind: 'agate', protocol, stream, url: gatewayUrl + route, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } };
        if (protocol === 'anthropic') {
          targets[`agate-plain ${name}`] = { kind: 'agate-plain', protocol, stream, url: plainUrl + route, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } };
        }
      }
    }
    const tokenResponse = await fetch(`${simUrl}/__sim/accounts/${encodeURIComponent('demo@agate.local')}/token`, { method: 'POST' });
    const { access_token: accessToken } = await tokenResponse.json();
    const upstreamHeaders = { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` };
    for (const [kind, base] of [['direct', simUrl], ['passthrough', `http://127.0.0.1:${passPort}`]]) {
      for (const stream of [false, true]) {
        targets[`${kind}${stream ? ' stream' : ''}`] = {
          kind,
          stream,
          url: `${base}/daily/v1internal:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`,
          body: JSON.stringify(upstreamBodies.baseline),
          headers: upstreamHeaders,
        };
      }
    }
    for (const [name, target] of Object.entries(targets)) {
      if (target.kind !== 'direct' && target.kind !== 'passthrough') continue;
      const response = await fetch(target.url, { method: 'POST', headers: target.headers, body: target.body });
      const text = await response.text();
      if (!response.ok || !text.includes('Hello')) throw new Error(`probe ${name}: HTTP ${response.status} ${text.slice(0, 300)}`);
    }
    await fetch(`${simUrl}/__sim/reset`, { method: 'POST' });

    const generator = track(spawnPinned(1, process.execPath, [path.join(root, 'bench/open-loop.mjs')], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] }), 'generator', logFile);
    const openLoop = await openLoopClient(generator);
    const loadRun = (target, rate, durationMs, warmupMs) => openLoop.run(target, rate, durationMs, warmupMs, plan.drainMs);
    const pidOf = (target) => ({ agate: gateway.pid, 'agate-plain': plain.pid, passthrough: pass.pid })[target.kind];

    /** One measured run: the generator's figures plus the proxy's CPU and peak RSS over it. */
    async function measured(name, rate, rep) {
      const target = targets[name];
      const pid = pidOf(target);
      const cpuBefore = pid ? cpuMs(pid) : NaN;
      let rssMax = pid ? rssMb(pid) : NaN;
      const sampler = pid ? setInterval(() => (rssMax = Math.max(rssMax, rssMb(pid))), 200) : undefined;
      const result = await loadRun(target, rate, plan.durationMs, plan.warmupMs);
      clearInterval(sampler);
      const cpu = pid ? cpuMs(pid) - cpuBefore : NaN;
      if (pid) await settle(pid);
      const run = { name, kind: target.kind, protocol: target.protocol, stream: target.stream, rate, rep, cpuMs: cpu, cpuMsPer1000: (cpu / result.completed) * 1000, rssMaxMb: rssMax, ...result };
      log(
        `rep ${rep} ${String(rate).padStart(4)} rps ${name.padEnd(26)} p50 ${run.total.p50.toFixed(2)} p99 ${run.total.p99.toFixed(2)} ms` +
          (target.stream ? ` ttft ${run.ttft.p50.toFixed(2)}` : '') +
          (pid ? ` cpu ${run.cpuMsPer1000.toFixed(0)} ms/1000` : '') +
          (run.failed || run.timedOut ? ` FAILED ${run.failed} timeouts ${run.timedOut} ${JSON.stringify(run.statuses)}` : ''),
      );
      return run;
    }

    /** An overloaded proxy still works off its backlog after the run: the next run starts once it is idle (≤ 5 s). */
    async function settle(pid) {
      for (let waited = 0; waited < 5_000; waited += 200) {
        const before = cpuMs(pid);
        await new Promise((resolve) => setTimeout(resolve, 200));
        if (cpuMs(pid) - before < 40) return;
      }
    }

    const mainNames = Object.keys(targets).filter((name) => !name.startsWith('agate-plain'));
    const storeNames = ['agate anthropic', 'agate anthropic stream', 'agate-plain anthropic', 'agate-plain anthropic stream'];
    if (plan.warmupRuns) {
      log('warm-up (JIT, connection pools): not measured');
      for (const name of Object.keys(targets)) await loadRun(targets[name], 300, 1000, 0);
      // The gateway without stores serves only the comparison steps: warm it as long as the main one gets
      // warm over the rate steps, or the comparison measures V8's JIT instead of the stores.
      for (const name of storeNames.filter((n) => n.startsWith('agate-plain'))) await loadRun(targets[name], 500, 8000, 0);
    }
    const runs = [];
    const storeRate = smoke ? plan.rates[0] : 200;
    for (let rep = 1; rep <= plan.reps; rep++) {
      for (const rate of plan.rates) {
        // Interleaved, and rotated per repetition so no target always runs first.
        const order = mainNames.map((_, i) => mainNames[(i + rep + plan.rates.indexOf(rate)) % mainNames.length]);
        for (const name of order) runs.push(await measured(name, rate, rep));
        if (rate === storeRate) for (const name of storeNames) runs.push({ ...(await measured(name, storeRate, rep)), storesComparison: true });
      }
    }
    const rssAfterLoad = { agate: rssMb(gateway.pid), agatePlain: rssMb(plain.pid), passthrough: rssMb(pass.pid) };

    // Saturation: autocannon, closed loop (no -R), its own process on CPU 1.
    const saturation = [];
    const saturationNames = smoke ? ['passthrough', 'agate anthropic'] : [...mainNames, 'agate-plain anthropic', 'agate-plain anthropic stream'];
    for (const name of saturationNames) saturation.push(await saturate(name, targets[name], pidOf(targets[name])));

    const translation = translate();

    const result = {
      meta: {
        date: new Date(started).toISOString(),
        smoke,
        node: process.version,
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model,
        pinned: canPin,
        loadAverageAtEnd: os.loadavg(),
        durationS: (Date.now() - started) / 1000,
        simulator: { ...SIM, framesPerAnswer: simConfig.framesPerAnswer ?? simConfig.config?.framesPerAnswer },
        model: MODEL,
        plan,
        upstreamBodies: Object.fromEntries(Object.entries(upstreamBodies).filter(([key]) => key !== 'baseline')),
      },
      runs,
      steps: aggregateSteps(runs.filter((run) => !run.storesComparison)),
      stores: aggregateSteps(runs.filter((run) => run.storesComparison || (run.kind === 'direct' && run.rate === storeRate))),
      saturation,
      rss: { idle: idleRss, afterLoad: rssAfterLoad, underLoadMax: maxRss(runs) },
      translation,
    };
    result.targets = evaluateTargets(result);
    fs.mkdirSync(outDir, { recursive: true });
    const stamp = new Date(started).toISOString().replace(/[:.]/g, '-');
    const base = path.join(outDir, `${smoke ? 'smoke-' : ''}${stamp}`);
    fs.writeFileSync(`${base}.json`, JSON.stringify(result, null, 2) + '\n');
    const markdown = renderMarkdown(result);
    fs.writeFileSync(`${base}.md`, markdown);
    fs.writeFileSync(`${base}.png`, plotAdded(result.steps));
    process.stdout.write(markdown + `\nWrote ${base}.json, .md and .png\n`);

    function saturate(name, target, pid) {
      const args = [
        path.join(root, 'node_modules/autocannon/autocannon.js'),
        '-c', String(plan.saturationConnections), '-d', String(plan.saturationS), '-m', 'POST', '-j',
        ...Object.entries(target.headers).flatMap(([key, value]) => ['-H', `${key}=${value}`]),
        '-b', target.body, target.url,
      ];
      const cpuBefore = pid ? cpuMs(pid) : NaN;
      const wallBefore = Date.now();
      return new Promise((resolve, reject) => {
        const child = spawnPinned(1, process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (data) => (out += data));
        child.stderr.on('data', () => undefined);
        child.on('error', reject);
        child.on('exit', (code) => {
          if (code !== 0) return reject(new Error(`autocannon exited with ${code} on ${name}`));
          const report = JSON.parse(out);
          const wallMs = Date.now() - wallBefore;
          const cpu = pid ? cpuMs(pid) - cpuBefore : NaN;
          const completed = report['2xx'] + report.non2xx;
          const entry = {
            name, kind: target.kind, protocol: target.protocol, stream: target.stream,
            connections: plan.saturationConnections, rps: report.requests.average, completed, non2xx: report.non2xx, errors: report.errors, timeouts: report.timeouts,
            latencyP50: report.latency.p50, latencyP99: report.latency.p99,
            cpuMsPer1000: (cpu / completed) * 1000,
            // Near 1: the proxy's core was the limit. Well below: the load side (CPU 1) was.
            coreUtilisation: cpu / wallMs,
          };
          log(`saturation ${name.padEnd(26)} ${entry.rps.toFixed(0)} req/s p99 ${entry.latencyP99} ms` + (pid ? ` cpu ${entry.cpuMsPer1000.toFixed(0)} ms/1000, core ${(entry.coreUtilisation * 100).toFixed(0)} %` : ''));
          resolve(entry);
        });
      });
    }
  } finally {
    for (const { child } of children) await stopProcess(child).catch(() => undefined);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function translate() {
  const tsx = path.join(root, 'node_modules/.bin/tsx');
  const args = [path.join(root, 'bench/translate.ts'), '--iterations', String(plan.translateIterations)];
  const result = canPin ? spawnSync('taskset', ['-c', '0', tsx, ...args], { encoding: 'utf8' }) : spawnSync(tsx, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`translation microbenchmark failed: ${result.stderr}`);
  const figures = JSON.parse(result.stdout);
  log(`translation of the ${figures.tools}-tool request: ${figures.medianMs.translate.toFixed(3)} ms median (decode + encode)`);
  return figures;
}

const percentileKeys = ['p50', 'p95', 'p99'];

/** Median of per-run figures for each (target, rate), and what each adds over `direct` of the same mode. */
function aggregateSteps(runs) {
  const groups = new Map();
  for (const run of runs) {
    const key = `${run.name}@${run.rate}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(run);
  }
  const steps = [...groups.values()].map((list) => {
    const [first] = list;
    const med = (pick) => median(list.map(pick));
    return {
      name: first.name, kind: first.kind, protocol: first.protocol, stream: first.stream, rate: first.rate, runs: list.length,
      failed: list.reduce((sum, run) => sum + run.failed + run.timedOut, 0),
      total: Object.fromEntries(percentileKeys.map((p) => [p, med((run) => run.total[p])])),
      ttfb: Object.fromEntries(percentileKeys.map((p) => [p, med((run) => run.ttfb[p])])),
      ttft: Object.fromEntries(percentileKeys.map((p) => [p, med((run) => run.ttft[p])])),
      chunks: med((run) => run.chunks),
      gapMean: med((run) => run.gapMean),
      gapMax: med((run) => run.gapMax),
      cpuMsPer1000: med((run) => run.cpuMsPer1000),
      rssMaxMb: Math.max(...list.map((run) => run.rssMaxMb).filter(Number.isFinite), -Infinity),
    };
  });
  for (const step of steps) {
    const direct = steps.find((other) => other.kind === 'direct' && other.stream === step.stream && other.rate === step.rate);
    if (!direct || step.kind === 'direct') continue;
    step.added = Object.fromEntries(percentileKeys.map((p) => [p, step.total[p] - direct.total[p]]));
    if (step.stream) {
      step.addedTtft = Object.fromEntries(percentileKeys.map((p) => [p, step.ttft[p] - direct.ttft[p]]));
      step.addedGapMean = step.gapMean - direct.gapMean;
      // Buffering: the first token comes late by more than half the stream's length, or the chunks collapse.
      const streamSpan = direct.total.p50 - direct.ttft.p50;
      step.buffered = step.addedTtft.p50 > streamSpan / 2 || (direct.chunks >= 3 && step.chunks < 2);
    }
  }
  return steps;
}

function maxRss(runs) {
  const byKind = {};
  for (const run of runs) if (Number.isFinite(run.rssMaxMb)) byKind[run.kind] = Math.max(byKind[run.kind] ?? 0, run.rssMaxMb);
  return byKind;
}

function plotAdded(steps) {
  const series = steps
    .filter((step) => step.added && step.kind !== 'agate-plain')
    .reduce((map, step) => {
      const name = step.kind === 'passthrough' ? `pass-through${step.stream ? ' stream' : ''}` : step.name.replace(/^agate /, '');
      (map[name] ??= []).push({ x: step.rate, y: step.added.p50 });
      return map;
    }, {});
  return plotLines({
    title: 'Added latency p50 vs direct (ms)',
    xLabel: 'offered load (requests/s, open loop)',
    yLabel: 'ms',
    series: Object.entries(series).map(([name, points]) => ({ name, points })),
  });
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`[bench] failed: ${err instanceof Error ? err.stack : err}\n`);
    process.exit(1);
  },
);
