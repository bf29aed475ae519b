/**
 * `npm run bench`: what Agate adds over the upstream, side by side with a
 * bare node:http pass-through, every protocol, streaming and not.
 *
 *   node bench/run.mjs            full run (≈ 15 min), writes bench/results/<time>.{json,md,svg}
 *   node bench/run.mjs --smoke    ≈ 20 s, one short step per protocol (CI)
 *   --no-peer                     without the peer row (it is installed from npm at bench time)
 *   --only provider-passthrough   just the API-key provider passthrough rows against their bare pass-through (≈ 1 min)
 *
 * Processes: the simulator (`agate simulate`, fixed latency) and the load
 * generators share CPU 1; the gateway (`agate demo --simulator`, the serve
 * code path with the simulator's demo account), the pass-through and the peer
 * (antigravity-claude-proxy, bench/lib/peer.mjs) get CPU 0. The gateways carry
 * the bench's probe (bench/lib/loop-probe-preload.cjs): their event-loop delay
 * is read over IPC per step; so does a second pass-through, the floor for
 * Claude Code's request.
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
import { canPin, cpuMs, demoArgs, freePort, rssMb, spawnPinned, stopProcess, waitForHttp } from './lib/procs.mjs';
import { plotLines } from './lib/plot.mjs';
import { loopProbe, PROBE_NODE_FLAGS } from './lib/loop-probe.mjs';
import { installPeer, peerCommand, PEER_PACKAGE, PEER_VERSION } from './lib/peer.mjs';
import { claudeCodeRequest } from './lib/conversation.mjs';
import { renderMarkdown, evaluateTargets, providerPassthroughChecks } from './lib/report.mjs';
import { PROVIDER_PASSTHROUGH_RATE, providerPassthroughTargets } from './lib/provider-passthrough.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: flags } = parseArgs({
  options: {
    smoke: { type: 'boolean' },
    out: { type: 'string' },
    reps: { type: 'string' },
    'duration-ms': { type: 'string' },
    'no-peer': { type: 'boolean' },
    only: { type: 'string' },
  },
});
const smoke = flags.smoke === true;
if (flags.only !== undefined && flags.only !== 'provider-passthrough') throw new Error(`--only takes provider-passthrough, not ${flags.only}`);
const onlyProviderPassthrough = flags.only === 'provider-passthrough';

const SIM = { latencyMs: 50, frameIntervalMs: 10 };
const MODEL = 'claude-sonnet-4-6';
const PROMPT = 'benchmark';
const plan = smoke
  ? {
      rates: [200],
      reps: 1,
      durationMs: 600,
      warmupMs: 100,
      saturationS: 1,
      saturationConnections: 32,
      translateIterations: 200,
      largeIterations: 1,
      warmupRuns: false,
      drainMs: 30_000,
      storeRates: [200],
      largeSizesMb: [1],
      largeReps: 1,
    }
  : {
      rates: [100, 200, 500, 1000],
      reps: 3,
      durationMs: 2000,
      warmupMs: 300,
      saturationS: 4,
      saturationConnections: 400,
      translateIterations: 3000,
      largeIterations: 5,
      warmupRuns: true,
      drainMs: 15_000,
      storeRates: [200, 1000],
      largeSizesMb: [0.1, 1, 4],
      largeReps: 3,
    };
if (flags.reps) plan.reps = Number(flags.reps);
if (flags['duration-ms']) plan.durationMs = Number(flags['duration-ms']);
const outDir = path.resolve(flags.out ?? path.join(root, 'bench/results'));
const cli = path.join(root, 'dist/cli.js');
if (!fs.existsSync(cli)) throw new Error('dist/cli.js is missing: run "npm run build" (npm run bench does it)');

const log = (line) => process.stderr.write(`[bench] ${line}\n`);
/** A figure for the progress log; a run where nothing answered has none. */
const num = (value, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : '–');
/** All load comes from one address, with up to 400 connections (saturation), more when a gateway falls behind. */
const UNCAPPED_CONNECTIONS = { AGATE_SERVER_MAX_CONNECTIONS: '100000', AGATE_SERVER_MAX_CONNECTIONS_PER_ADDRESS: '100000' };

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
    const [simPort, gatewayPort, plainPort, storesPort, passPort, probedPassPort] = await Promise.all([1, 2, 3, 4, 5, 6].map(() => freePort()));
    const simUrl = `http://127.0.0.1:${simPort}`;
    const sim = track(
      spawnPinned(1, process.execPath, [
        cli,
        'simulate',
        '--port',
        String(simPort),
        '--latency-ms',
        String(SIM.latencyMs),
        '--frame-interval-ms',
        String(SIM.frameIntervalMs),
        '--quota-cost',
        '0',
        // Enough for the probes' look at what the gateway sent; 10,000 of Claude Code's requests would grow the
        // simulator's heap past a gigabyte on the load generator's core.
        '--log-entries',
        '1000',
      ]),
      'simulator',
      logFile,
    );
    await waitForHttp(`${simUrl}/__sim/config`, sim);
    const simConfig = await (await fetch(`${simUrl}/__sim/config`)).json();

    const gatewayArgs = (port, dir, extra = []) => [...PROBE_NODE_FLAGS, ...demoArgs({ cli, simUrl, port, dataDir: path.join(work, dir) }), ...extra];
    const probed = { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: { ...process.env, ...UNCAPPED_CONNECTIONS } };
    const gateway = track(spawnPinned(0, process.execPath, gatewayArgs(gatewayPort, 'agate'), probed), 'agate', logFile);
    // The stores comparison: the same gateway without the dashboard stores (request monitor, token stats), and a
    // twin with them that has served exactly what it has. The main gateway has served every step before (and
    // Claude Code's 117 KB request), which leaves its RSS higher whatever the stores do.
    const plain = track(spawnPinned(0, process.execPath, gatewayArgs(plainPort, 'agate-plain', ['--no-observability']), probed), 'agate-plain', logFile);
    const storesTwin = track(spawnPinned(0, process.execPath, gatewayArgs(storesPort, 'agate-stores'), probed), 'agate-stores', logFile);
    // The floor for Claude Code's request: the bare pass-through with the same probe as the gateways (the probe's
    // timers cost about 20 ms of CPU per 1,000 requests at 500 req/s, so the CPU floor above carries none).
    const probedPass = track(
      spawnPinned(0, process.execPath, [...PROBE_NODE_FLAGS, path.join(root, 'bench/passthrough.mjs'), '--port', String(probedPassPort), '--target', simUrl], {
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      }),
      'passthrough-probed',
      logFile,
    );
    const probes = {
      agate: loopProbe(gateway),
      'agate-plain': loopProbe(plain),
      'agate-stores': loopProbe(storesTwin),
      'passthrough-probed': loopProbe(probedPass),
    };
    // The smoke stays offline and fast: the peer is installed from npm only for full runs.
    const peer =
      flags['no-peer'] || smoke || onlyProviderPassthrough
        ? { skipped: smoke ? 'not in --smoke' : onlyProviderPassthrough ? '--only' : '--no-peer' }
        : await startPeer(work, simUrl, logFile);
    const pass = track(
      spawnPinned(0, process.execPath, [path.join(root, 'bench/passthrough.mjs'), '--port', String(passPort), '--target', simUrl]),
      'passthrough',
      logFile,
    );
    const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    const plainUrl = `http://127.0.0.1:${plainPort}`;
    const storesUrl = `http://127.0.0.1:${storesPort}`;
    await Promise.all([
      waitForHttp(`${gatewayUrl}/healthz`, gateway),
      waitForHttp(`${plainUrl}/healthz`, plain),
      waitForHttp(`${storesUrl}/healthz`, storesTwin),
      waitForHttp(`http://127.0.0.1:${passPort}/__sim/config`, pass),
      waitForHttp(`http://127.0.0.1:${probedPassPort}/__sim/config`, probedPass),
    ]);
    // Let start-up work (account refresh, quota fetch) settle before the idle reading.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const idleRss = { agate: rssMb(gateway.pid), agatePlain: rssMb(plain.pid), passthrough: rssMb(pass.pid), peer: peer.child ? rssMb(peer.child.pid) : NaN };
    log(
      `idle RSS: agate ${idleRss.agate.toFixed(1)} MB, without stores ${idleRss.agatePlain.toFixed(1)} MB, pass-through ${idleRss.passthrough.toFixed(1)} MB, peer ${idleRss.peer.toFixed(1)} MB`,
    );

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
        // A non-streaming request that does not think goes upstream as generateContent, a streaming one as streamGenerateContent.
        const upstream = entries.filter((entry) => entry.method === 'streamGenerateContent' || entry.method === 'generateContent').at(-1);
        upstreamBodies[name] = { frames: upstream.frames, bytes: JSON.stringify(upstream.body).length };
        if (protocol === 'anthropic' && stream) upstreamBodies.baseline = upstream.body;
        targets[`agate ${name}`] = {
          kind: 'agate',
          protocol,
          stream,
          url: gatewayUrl + route,
          body: JSON.stringify(body),
          headers: { 'content-type': 'application/json' },
        };
        if (protocol === 'anthropic') {
          for (const [kind, url] of [
            ['agate-plain', plainUrl],
            ['agate-stores', storesUrl],
          ]) {
            targets[`${kind} ${name}`] = {
              kind,
              protocol,
              stream,
              url: url + route,
              body: JSON.stringify(body),
              headers: { 'content-type': 'application/json' },
            };
          }
        }
      }
    }
    if (peer.url) {
      for (const stream of [false, true]) {
        const { path: route, body } = PROTOCOLS.anthropic(stream);
        const name = `peer anthropic${stream ? ' stream' : ''}`;
        const headers = { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' };
        const response = await fetch(peer.url + route, { method: 'POST', headers, body: JSON.stringify(body) });
        const text = await response.text();
        if (!response.ok || !text.includes('Hello')) throw new Error(`probe ${name}: HTTP ${response.status} ${text.slice(0, 300)}`);
        targets[name] = { kind: 'peer', protocol: 'anthropic', stream, url: peer.url + route, body: JSON.stringify(body), headers };
      }
    }
    // Claude Code's real request (24 tools, system prompt, a tool round) as it streams it.
    const claudeCodeBody = JSON.stringify(claudeCodeRequest(0, { unsigned: true }));
    targets['agate claude-code stream'] = {
      kind: 'agate',
      protocol: 'claude-code',
      stream: true,
      special: true,
      url: `${gatewayUrl}/v1/messages?beta=true`,
      body: claudeCodeBody,
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    };
    {
      const target = targets['agate claude-code stream'];
      const response = await fetch(target.url, { method: 'POST', headers: target.headers, body: target.body });
      const text = await response.text();
      if (!response.ok || !text.includes('message_stop')) throw new Error(`probe claude-code: HTTP ${response.status} ${text.slice(0, 300)}`);
      const upstream = (await (await fetch(`${simUrl}/__sim/log`)).json()).filter((entry) => entry.method === 'streamGenerateContent').at(-1);
      targets['passthrough claude-code stream'] = {
        kind: 'passthrough-probed',
        protocol: 'claude-code',
        stream: true,
        special: true,
        url: `http://127.0.0.1:${probedPassPort}/daily/v1internal:streamGenerateContent?alt=sse`,
        body: JSON.stringify(upstream.body),
      };
    }
    const tokenResponse = await fetch(`${simUrl}/__sim/accounts/${encodeURIComponent('demo@agate.local')}/token`, { method: 'POST' });
    const { access_token: accessToken } = await tokenResponse.json();
    const upstreamHeaders = { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` };
    targets['passthrough claude-code stream'].headers = upstreamHeaders;
    for (const [kind, base] of [
      ['direct', simUrl],
      ['passthrough', `http://127.0.0.1:${passPort}`],
    ]) {
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
    // An Anthropic client to the demo's Anthropic provider: the gateway passes the request through; beside it the bare pass-through to the same fake.
    Object.assign(targets, providerPassthroughTargets({ gatewayUrl, passUrl: `http://127.0.0.1:${passPort}`, model: MODEL, prompt: PROMPT }));
    for (const [name, target] of Object.entries(targets)) {
      if (target.kind !== 'direct' && !target.kind.startsWith('passthrough') && !target.providerPassthrough) continue;
      const response = await fetch(target.url, { method: 'POST', headers: target.headers, body: target.body });
      const text = await response.text();
      if (!response.ok || !text.includes(target.protocol === 'claude-code' ? 'finishReason' : 'Hello'))
        throw new Error(`probe ${name}: HTTP ${response.status} ${text.slice(0, 300)}`);
    }
    await fetch(`${simUrl}/__sim/reset`, { method: 'POST' });

    const generator = track(
      spawnPinned(1, process.execPath, [path.join(root, 'bench/open-loop.mjs')], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] }),
      'generator',
      logFile,
    );
    const openLoop = await openLoopClient(generator);
    const loadRun = (target, rate, durationMs, warmupMs) => openLoop.run(target, rate, durationMs, warmupMs, plan.drainMs);
    const pidOf = (target) =>
      ({
        agate: gateway.pid,
        'agate-plain': plain.pid,
        'agate-stores': storesTwin.pid,
        passthrough: pass.pid,
        'passthrough-probed': probedPass.pid,
        peer: peer.child?.pid,
      })[target.kind];

    /** One measured run: the generator's figures plus the proxy's CPU and peak RSS over it. */
    async function measured(name, rate, rep) {
      const target = targets[name];
      const pid = pidOf(target);
      const cpuBefore = pid ? cpuMs(pid) : NaN;
      let rssMax = pid ? rssMb(pid) : NaN;
      const sampler = pid ? setInterval(() => (rssMax = Math.max(rssMax, rssMb(pid))), 200) : undefined;
      const probe = probes[target.kind];
      await probe?.read(); // restarts the histogram: the figures cover this run only
      const result = await loadRun(target, rate, plan.durationMs, plan.warmupMs);
      const loop = probe ? await probe.read() : undefined;
      clearInterval(sampler);
      const cpu = pid ? cpuMs(pid) - cpuBefore : NaN;
      if (pid) await settle(pid);
      const run = {
        name,
        kind: target.kind,
        protocol: target.protocol,
        stream: target.stream,
        rate,
        rep,
        cpuMs: cpu,
        cpuMsPer1000: (cpu / result.completed) * 1000,
        rssMaxMb: rssMax,
        loop,
        ...result,
      };
      log(
        `rep ${rep} ${String(rate).padStart(4)} rps ${name.padEnd(26)} p50 ${num(run.total.p50)} p99 ${num(run.total.p99)} ms` +
          (target.stream && Number.isFinite(run.ttft.p50) ? ` ttft ${num(run.ttft.p50)}` : '') +
          (pid ? ` cpu ${num(run.cpuMsPer1000, 0)} ms/1000` : '') +
          (loop ? ` loop p99 ${num(loop.p99, 1)} max ${num(loop.max, 1)} (CPU slice ${num(loop.maxCpuSliceMs, 1)}) ms` : '') +
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

    const providerNames = Object.keys(targets).filter((name) => targets[name].providerPassthrough);
    if (onlyProviderPassthrough) {
      log('provider passthrough only: warm-up, then the measured runs');
      for (const name of providerNames) await loadRun(targets[name], 300, 1000, 0);
      const rows = [];
      for (let rep = 1; rep <= plan.reps; rep++) {
        const order = rep % 2 ? providerNames : [...providerNames].reverse();
        for (const name of order) rows.push(await measured(name, PROVIDER_PASSTHROUGH_RATE, rep));
      }
      const providerPassthrough = aggregateSteps(rows);
      const checks = providerPassthroughChecks(providerPassthrough);
      for (const check of checks) process.stdout.write(`${check.holds ? 'holds' : 'MISSED'}  ${check.target}: ${check.measured}\n`);
      fs.mkdirSync(outDir, { recursive: true });
      const file = path.join(outDir, `provider-passthrough-${new Date(started).toISOString().replace(/[:.]/g, '-')}.json`);
      fs.writeFileSync(
        file,
        JSON.stringify({ date: new Date(started).toISOString(), plan, loadAverageAtEnd: os.loadavg(), providerPassthrough, targets: checks }, null, 2) + '\n',
      );
      process.stdout.write(`Wrote ${file}\n`);
      return;
    }
    const isTwin = (name) => name.startsWith('agate-plain') || name.startsWith('agate-stores');
    const mainNames = Object.keys(targets).filter((name) => !isTwin(name) && !targets[name].special);
    const storeNames = ['agate-stores anthropic', 'agate-stores anthropic stream', 'agate-plain anthropic', 'agate-plain anthropic stream'];
    if (plan.warmupRuns) {
      log('warm-up (JIT, connection pools): not measured');
      for (const name of Object.keys(targets)) await loadRun(targets[name], 300, 1000, 0);
      // The twins serve only the comparison steps: warm them as long as the main one gets warm over the rate
      // steps, or the comparison measures V8's JIT instead of the stores.
      for (const name of storeNames) await loadRun(targets[name], 500, 8000, 0);
    }
    const runs = [];
    const claudeCodeRate = 200;
    for (let rep = 1; rep <= plan.reps; rep++) {
      for (const rate of plan.rates) {
        // Interleaved, and rotated per repetition so no target always runs first.
        const order = mainNames.map((_, i) => mainNames[(i + rep + plan.rates.indexOf(rate)) % mainNames.length]);
        for (const name of order) runs.push(await measured(name, rate, rep));
        if (plan.storeRates.includes(rate)) {
          const stores = rep % 2 ? storeNames : [...storeNames].reverse();
          for (const name of stores) runs.push({ ...(await measured(name, rate, rep)), storesComparison: true });
        }
        if (rate === claudeCodeRate) {
          const claudeCodeNames = ['agate claude-code stream', 'passthrough claude-code stream'];
          for (const name of rep % 2 ? claudeCodeNames : [...claudeCodeNames].reverse()) runs.push({ ...(await measured(name, rate, rep)), claudeCode: true });
        }
        if (rate === PROVIDER_PASSTHROUGH_RATE)
          for (const name of providerNames) runs.push({ ...(await measured(name, rate, rep)), providerPassthrough: true });
      }
    }
    const rssAfterLoad = { agate: rssMb(gateway.pid), agatePlain: rssMb(plain.pid), passthrough: rssMb(pass.pid) };

    // Saturation: autocannon, closed loop (no -R), its own process on CPU 1.
    const saturation = [];
    const saturationNames = smoke ? ['passthrough', 'agate anthropic'] : [...mainNames, 'agate-plain anthropic', 'agate-plain anthropic stream'];
    for (const name of saturationNames) saturation.push(await saturate(name, targets[name], pidOf(targets[name])));

    const largeBodies = await measureLargeBodies();

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
        peer: peer.url
          ? { package: PEER_PACKAGE, version: PEER_VERSION, mode: 'sticky (its default account selection)' }
          : { missing: peer.skipped ?? peer.error },
        loopDelayResolutionMs: (await probes.agate.read()).resolutionMs,
      },
      runs,
      steps: aggregateSteps(runs.filter((run) => !run.storesComparison && !run.claudeCode && !run.providerPassthrough)),
      providerPassthrough: aggregateSteps(runs.filter((run) => run.providerPassthrough)),
      stores: aggregateSteps(runs.filter((run) => run.storesComparison || (run.kind === 'direct' && plan.storeRates.includes(run.rate)))),
      claudeCode: aggregateSteps(runs.filter((run) => run.claudeCode)),
      saturation,
      rss: { idle: idleRss, afterLoad: rssAfterLoad, underLoadMax: maxRss(runs) },
      largeBodies,
      translation,
    };
    result.targets = evaluateTargets(result);
    fs.mkdirSync(outDir, { recursive: true });
    const stamp = new Date(started).toISOString().replace(/[:.]/g, '-');
    const base = path.join(outDir, `${smoke ? 'smoke-' : ''}${stamp}`);
    fs.writeFileSync(`${base}.json`, JSON.stringify(result, null, 2) + '\n');
    const markdown = renderMarkdown(result);
    fs.writeFileSync(`${base}.md`, markdown);
    fs.writeFileSync(`${base}.svg`, plotAdded(result.steps));
    process.stdout.write(markdown + `\nWrote ${base}.json, .md and .svg\n`);

    /**
     * Issue 14's budget for one request: Claude Code conversations of 0.1 (the recorded one), 1 and 4 MB,
     * one at a time on the idle gateway. The longest slice is the most process CPU the gateway spent between
     * two turns of its event loop while serving the request (5 ms probe timer); the event-loop delay max is
     * shown beside it, and on a loaded machine includes time the OS gave other processes. RSS from /proc every 10 ms.
     */
    async function measureLargeBodies() {
      const entries = [];
      for (const mb of plan.largeSizesMb) {
        const body = JSON.stringify(claudeCodeRequest(mb >= 0.5 ? mb * 1024 * 1024 : 0, { unsigned: true }));
        const bytes = Buffer.byteLength(body);
        for (let rep = 1; rep <= plan.largeReps; rep++) {
          await settle(gateway.pid);
          await new Promise((resolve) => setTimeout(resolve, 300));
          const rssBefore = rssMb(gateway.pid);
          let rssPeak = rssBefore;
          const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMb(gateway.pid))), 10);
          await probes.agate.read();
          const cpuBefore = cpuMs(gateway.pid);
          const started = performance.now();
          const response = await fetch(`${gatewayUrl}/v1/messages?beta=true`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
            body,
          });
          const text = await response.text();
          const totalMs = performance.now() - started;
          const loop = await probes.agate.read();
          clearInterval(sampler);
          await new Promise((resolve) => setTimeout(resolve, 200));
          const rssAfter = rssMb(gateway.pid);
          // The request's CPU, its answer's included (the simulator answers in 50 ms; the idle gateway does nothing else).
          const cpuMsOfRequest = cpuMs(gateway.pid) - cpuBefore;
          if (!response.ok || !text.includes('message_stop')) throw new Error(`large body ${mb} MB: HTTP ${response.status} ${text.slice(0, 300)}`);
          const entry = {
            mb,
            bytes,
            rep,
            totalMs,
            cpuMs: cpuMsOfRequest,
            longestSliceMs: loop.maxCpuSliceMs,
            loopMaxMs: loop.max,
            loopP99Ms: loop.p99,
            rssBeforeMb: rssBefore,
            rssPeakMb: rssPeak,
            rssAfterMb: rssAfter,
            peakGrowthMb: rssPeak - rssBefore,
          };
          entry.growthPerBodyByte = (entry.peakGrowthMb * 1024 * 1024) / bytes;
          log(
            `large body ${(bytes / 1048576).toFixed(2)} MB rep ${rep}: longest slice ${loop.maxCpuSliceMs.toFixed(1)} ms (loop delay max ${loop.max.toFixed(1)} ms), RSS ${rssBefore.toFixed(0)} → peak ${rssPeak.toFixed(0)} → ${rssAfter.toFixed(0)} MB (${entry.growthPerBodyByte.toFixed(1)}× body), answer in ${totalMs.toFixed(0)} ms, ${cpuMsOfRequest.toFixed(0)} ms CPU`,
          );
          entries.push(entry);
        }
      }
      return entries;
    }

    function saturate(name, target, pid) {
      const args = [
        path.join(root, 'node_modules/autocannon/autocannon.js'),
        '-c',
        String(plan.saturationConnections),
        '-d',
        String(plan.saturationS),
        '-m',
        'POST',
        '-j',
        ...Object.entries(target.headers).flatMap(([key, value]) => ['-H', `${key}=${value}`]),
        '-b',
        target.body,
        target.url,
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
            name,
            kind: target.kind,
            protocol: target.protocol,
            stream: target.stream,
            connections: plan.saturationConnections,
            rps: report.requests.average,
            completed,
            non2xx: report.non2xx,
            errors: report.errors,
            timeouts: report.timeouts,
            latencyP50: report.latency.p50,
            latencyP99: report.latency.p99,
            cpuMsPer1000: (cpu / completed) * 1000,
            // Near 1: the proxy's core was the limit. Well below: the load side (CPU 1) was.
            coreUtilisation: cpu / wallMs,
          };
          log(
            `saturation ${name.padEnd(26)} ${entry.rps.toFixed(0)} req/s p99 ${entry.latencyP99} ms` +
              (pid ? ` cpu ${entry.cpuMsPer1000.toFixed(0)} ms/1000, core ${(entry.coreUtilisation * 100).toFixed(0)} %` : ''),
          );
          resolve(entry);
        });
      });
    }
  } finally {
    for (const { child } of children) await stopProcess(child).catch(() => undefined);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Installs and starts the peer pinned to CPU 0; `{error}` when it cannot be installed or does not answer. */
async function startPeer(work, simUrl, logFile) {
  log(`peer: installing ${PEER_PACKAGE}@${PEER_VERSION} from npm into the work dir`);
  const installed = installPeer(path.join(work, 'peer'));
  if (installed.error) {
    log(`peer row skipped: ${installed.error}`);
    return { error: installed.error };
  }
  const port = await freePort();
  const { args, env } = peerCommand({
    cli: installed.cli,
    home: path.join(work, 'peer-home'),
    port,
    simUrl,
    account: { email: 'demo@agate.local', refreshToken: '1//agate-demo-refresh-token' },
  });
  const child = track(spawnPinned(0, process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] }), 'peer', logFile);
  try {
    await waitForHttp(`http://127.0.0.1:${port}/health`, child);
  } catch (err) {
    log(`peer row skipped: ${err.message}`);
    return { error: `${PEER_PACKAGE} did not start: ${err.message}` };
  }
  return { child, url: `http://127.0.0.1:${port}` };
}

function translate() {
  const tsx = path.join(root, 'node_modules/.bin/tsx');
  const args = [path.join(root, 'bench/translate.ts'), '--iterations', String(plan.translateIterations), '--large-iterations', String(plan.largeIterations)];
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
      name: first.name,
      kind: first.kind,
      protocol: first.protocol,
      stream: first.stream,
      rate: first.rate,
      runs: list.length,
      failed: list.reduce((sum, run) => sum + run.failed + run.timedOut, 0),
      total: Object.fromEntries(percentileKeys.map((p) => [p, med((run) => run.total[p])])),
      ttfb: Object.fromEntries(percentileKeys.map((p) => [p, med((run) => run.ttfb[p])])),
      ttft: Object.fromEntries(percentileKeys.map((p) => [p, med((run) => run.ttft[p])])),
      chunks: med((run) => run.chunks),
      gapMean: med((run) => run.gapMean),
      gapMax: med((run) => run.gapMax),
      cpuMsPer1000: med((run) => run.cpuMsPer1000),
      loop: list[0].loop
        ? {
            p50: med((run) => run.loop.p50),
            p99: med((run) => run.loop.p99),
            max: Math.max(...list.map((run) => run.loop.max)),
            cpuSliceMax: Math.max(...list.map((run) => run.loop.maxCpuSliceMs)),
          }
        : undefined,
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
    .filter((step) => step.added && step.kind !== 'agate-plain' && step.kind !== 'agate-stores' && step.kind !== 'peer')
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
