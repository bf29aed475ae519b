/**
 * A/B of gateway builds: CPU per 1,000 requests at a fixed rate, the builds
 * interleaved against one simulator, so a machine shared with other work
 * loads them alike. For before/after figures of a hot-path change.
 *
 *   node bench/ab.mjs --variant base=/tmp/base/cli.js --variant new=dist/cli.js \
 *     [--targets anthropic,anthropic-stream,chat,responses,gemini,claude-code-stream] [--rate 500] [--duration-ms 3000] [--reps 3]
 *     [--no-observability] [--cpu-prof DIR] [--loop-delay]
 *   (a variant may carry extra `demo` arguments: --variant "plain=dist/cli.js --no-observability")
 *
 * Each variant is `agate demo --simulator URL` pinned to CPU 0, and so are the two references: the bare
 * `node:http` pass-through and the same with the global `fetch` upstream (bench/fetch-passthrough.mjs);
 * the simulator and the open-loop generator share CPU 1. Prints per-target medians and the
 * variant ÷ pass-through ratio. `--cpu-prof DIR` writes each variant's V8 profile there at exit. `--loop-delay` also
 * reads each variant's event-loop delay over each run (the probe bench/lib/loop-probe-preload.cjs, loaded into the
 * variants only: the references' CPU stays free of its timers).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { median } from './lib/stats.mjs';
import { openLoopClient } from './lib/open-loop-client.mjs';
import { claudeCodeRequest } from './lib/conversation.mjs';
import { loopProbe, PROBE_NODE_FLAGS } from './lib/loop-probe.mjs';
import { cpuMs, demoArgs, freePort, rssMb, spawnPinned, stopProcess, waitForHttp } from './lib/procs.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: flags } = parseArgs({
  options: {
    variant: { type: 'string', multiple: true },
    targets: { type: 'string' },
    rate: { type: 'string' },
    'duration-ms': { type: 'string' },
    reps: { type: 'string' },
    'no-observability': { type: 'boolean' },
    'cpu-prof': { type: 'string' },
    'loop-delay': { type: 'boolean' },
  },
});
const variants = (flags.variant ?? [`new=${path.join(root, 'dist/cli.js')}`]).map((spec) => {
  // `name=path/to/cli.js[ extra demo args]`, e.g. `plain=dist/cli.js --no-observability`.
  const [name, rest] = [spec.slice(0, spec.indexOf('=')), spec.slice(spec.indexOf('=') + 1)];
  const [file, ...extra] = rest.split(' ');
  return { name, cli: path.resolve(file), extra };
});
const rate = Number(flags.rate ?? 500);
const durationMs = Number(flags['duration-ms'] ?? 3000);
const reps = Number(flags.reps ?? 3);
const MODEL = 'claude-sonnet-4-6';
const ROUTES = {
  anthropic: (stream) => ({ path: '/v1/messages', body: { model: MODEL, max_tokens: 256, stream, messages: [{ role: 'user', content: 'benchmark' }] } }),
  chat: (stream) => ({ path: '/v1/chat/completions', body: { model: MODEL, max_tokens: 256, stream, messages: [{ role: 'user', content: 'benchmark' }] } }),
  responses: (stream) => ({ path: '/v1/responses', body: { model: MODEL, max_output_tokens: 256, stream, store: false, input: 'benchmark' } }),
  gemini: (stream) => ({
    path: `/v1beta/models/${MODEL}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`,
    body: { contents: [{ role: 'user', parts: [{ text: 'benchmark' }] }], generationConfig: { maxOutputTokens: 256 } },
  }),
  // Claude Code's recorded 24-tool request (~117 KB, its Google-signed thought left out); `claude-code-stream` is
  // how Claude Code sends it.
  'claude-code': (stream) => ({ path: '/v1/messages', body: claudeCodeRequest(0, { stream, unsigned: true }) }),
};
const targetNames = (flags.targets ?? 'anthropic,anthropic-stream').split(',');
const log = (line) => process.stderr.write(`[ab] ${line}\n`);

const children = [];
// All load comes from one address, and an overloaded gateway holds more connections than the caps allow
// (environment variables: a build from before the caps ignores them).
const env = {
  ...process.env,
  AGATE_SERVER_MAX_CONNECTIONS: '100000',
  AGATE_SERVER_MAX_CONNECTIONS_PER_ADDRESS: '100000',
};
const spawnTracked = (cpu, args, options) => {
  const child = spawnPinned(cpu, process.execPath, args, { env, stdio: ['ignore', 'ignore', 'inherit', ...(options?.ipc ? ['ipc'] : [])] });
  children.push(child);
  return child;
};

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'agate-ab-'));
  try {
    const simPort = await freePort();
    const simUrl = `http://127.0.0.1:${simPort}`;
    // This checkout's simulator whatever the variants (an older build's may lack options used here).
    const sim = spawnTracked(1, [
      path.join(root, 'dist/cli.js'),
      'simulate',
      '--port',
      String(simPort),
      '--latency-ms',
      '50',
      '--frame-interval-ms',
      '10',
      '--quota-cost',
      '0',
      // 10,000 logged Claude Code requests would grow the simulator's heap past a gigabyte on the load generator's core.
      '--log-entries',
      '1000',
    ]);
    await waitForHttp(`${simUrl}/__sim/config`, sim);
    const gateways = [];
    for (const variant of variants) {
      const port = await freePort();
      const nodeFlags = flags['cpu-prof']
        ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(flags['cpu-prof'])}`, `--cpu-prof-name=${variant.name}.cpuprofile`]
        : [];
      const args = [
        ...nodeFlags,
        ...(flags['loop-delay'] ? PROBE_NODE_FLAGS : []),
        ...demoArgs({ cli: variant.cli, simUrl, port, dataDir: path.join(work, variant.name) }),
      ];
      if (flags['no-observability']) args.push('--no-observability');
      args.push(...variant.extra);
      const child = spawnTracked(0, args, { ipc: flags['loop-delay'] });
      gateways.push({ ...variant, child, url: `http://127.0.0.1:${port}`, probe: flags['loop-delay'] ? loopProbe(child) : undefined });
    }
    const passPort = await freePort();
    const pass = spawnTracked(0, [path.join(root, 'bench/passthrough.mjs'), '--port', String(passPort), '--target', simUrl]);
    const fetchPassPort = await freePort();
    const fetchPass = spawnTracked(0, [path.join(root, 'bench/fetch-passthrough.mjs'), '--port', String(fetchPassPort), '--target', simUrl]);
    for (const gateway of gateways) await waitForHttp(`${gateway.url}/healthz`, gateway.child);
    await waitForHttp(`http://127.0.0.1:${passPort}/__sim/config`, pass);
    await waitForHttp(`http://127.0.0.1:${fetchPassPort}/__sim/config`, fetchPass);
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const gateway of gateways) log(`${gateway.name}: idle RSS ${rssMb(gateway.child.pid).toFixed(1)} MB`);

    // The pass-through replays the Anthropic stream probe's upstream body.
    const probe = ROUTES.anthropic(true);
    const probed = await fetch(gateways[0].url + probe.path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(probe.body),
    });
    if (!probed.ok) throw new Error(`probe: HTTP ${probed.status} ${await probed.text()}`);
    await probed.text();
    const upstream = (await (await fetch(`${simUrl}/__sim/log`)).json()).filter((entry) => entry.method === 'streamGenerateContent').at(-1);
    const token = await (await fetch(`${simUrl}/__sim/accounts/${encodeURIComponent('demo@agate.local')}/token`, { method: 'POST' })).json();
    // Claude Code's targets: the pass-throughs replay that request's own ~117 KB upstream body.
    const upstreamBodies = new Map();
    for (const name of targetNames.filter((target) => target.startsWith('claude-code'))) {
      const stream = name.endsWith('-stream');
      const { path: route, body } = ROUTES['claude-code'](stream);
      const response = await fetch(gateways[0].url + route, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (!response.ok) throw new Error(`probe ${name}: HTTP ${response.status} ${await response.text()}`);
      await response.text();
      const method = stream ? 'streamGenerateContent' : 'generateContent';
      upstreamBodies.set(name, (await (await fetch(`${simUrl}/__sim/log`)).json()).filter((entry) => entry.method === method).at(-1).body);
    }

    const jobs = [];
    for (const name of targetNames) {
      const stream = name.endsWith('-stream');
      const { path: route, body } = ROUTES[name.replace(/-stream$/, '')](stream);
      for (const gateway of gateways) {
        jobs.push({
          key: `${name} ${gateway.name}`,
          target: name,
          variant: gateway.name,
          pid: gateway.child.pid,
          probe: gateway.probe,
          url: gateway.url + route,
          body: JSON.stringify(body),
          headers: { 'content-type': 'application/json' },
        });
      }
      for (const [variant, port, pid] of [
        ['pass-through', passPort, pass.pid],
        ['fetch pass-through', fetchPassPort, fetchPass.pid],
      ]) {
        jobs.push({
          key: `${name} ${variant}`,
          target: name,
          variant,
          pid,
          url: `http://127.0.0.1:${port}/daily/v1internal:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`,
          body: JSON.stringify(upstreamBodies.get(name) ?? upstream.body),
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token.access_token}` },
        });
      }
    }

    const generator = spawnTracked(1, [path.join(root, 'bench/open-loop.mjs')], { ipc: true });
    const openLoop = await openLoopClient(generator);
    const load = (job, runRate, runMs, warmupMs) => openLoop.run(job, runRate, runMs, warmupMs, 10_000);
    const settle = async (pid) => {
      for (let waited = 0; waited < 5_000; waited += 200) {
        const before = cpuMs(pid);
        await new Promise((resolve) => setTimeout(resolve, 200));
        if (cpuMs(pid) - before < 20) return;
      }
    };

    const peakRss = new Map(gateways.map((gateway) => [gateway.name, 0]));
    const sampler = setInterval(() => {
      for (const gateway of gateways) peakRss.set(gateway.name, Math.max(peakRss.get(gateway.name), rssMb(gateway.child.pid) || 0));
    }, 200);
    for (const job of jobs) await load(job, 300, 1000, 0); // JIT and pools
    const results = new Map(jobs.map((job) => [job.key, []]));
    for (let rep = 0; rep < reps; rep++) {
      const order = jobs.map((_, i) => jobs[(i + rep) % jobs.length]);
      for (const job of order) {
        await settle(job.pid);
        await job.probe?.read(); // restarts the histogram
        const before = cpuMs(job.pid);
        const result = await load(job, rate, durationMs, 0);
        const per1000 = ((cpuMs(job.pid) - before) / result.completed) * 1000;
        const loop = await job.probe?.read();
        results.get(job.key).push({ per1000, p50: result.total.p50, failed: result.failed + result.timedOut, loop });
        const loopText = loop ? ` loop p99 ${loop.p99.toFixed(1)} ms, longest CPU slice ${loop.maxCpuSliceMs.toFixed(1)} ms` : '';
        log(
          `rep ${rep + 1} ${job.key.padEnd(32)} ${per1000.toFixed(0)} ms/1000 p50 ${result.total.p50.toFixed(1)} ms${loopText}${result.failed || result.timedOut ? ` FAILED ${result.failed}/${result.timedOut}` : ''}`,
        );
      }
    }
    clearInterval(sampler);
    for (const gateway of gateways)
      log(`${gateway.name}: RSS peak ${peakRss.get(gateway.name).toFixed(1)} MB, after load ${rssMb(gateway.child.pid).toFixed(1)} MB`);
    generator.send({ type: 'exit' });

    const columns = [...gateways.map((g) => g.name), 'pass-through', 'fetch pass-through'];
    const lines = [`| target | ${columns.join(' | ')} | ratios to pass-through |`, `|---|${'---|'.repeat(columns.length + 1)}`];
    for (const name of targetNames) {
      const cpu = (variant) => median(results.get(`${name} ${variant}`).map((r) => r.per1000));
      const floor = cpu('pass-through');
      const ratios = columns
        .slice(0, -2)
        .concat('fetch pass-through')
        .map((column) => (cpu(column) / floor).toFixed(2) + '×');
      lines.push(`| ${name} @ ${rate}/s | ${columns.map((column) => cpu(column).toFixed(0)).join(' | ')} | ${ratios.join(' / ')} |`);
    }
    process.stdout.write(`CPU ms per 1,000 requests (median of ${reps}):\n${lines.join('\n')}\n`);
    if (flags['loop-delay']) {
      const loopLines = [`| target | ${gateways.map((g) => g.name).join(' | ')} |`, `|---|${'---|'.repeat(gateways.length)}`];
      for (const name of targetNames) {
        const loopOf = (variant, field) => median(results.get(`${name} ${variant}`).map((r) => r.loop[field])).toFixed(1);
        loopLines.push(`| ${name} @ ${rate}/s | ${gateways.map((g) => `${loopOf(g.name, 'p99')} / ${loopOf(g.name, 'maxCpuSliceMs')}`).join(' | ')} |`);
      }
      process.stdout.write(`Event-loop delay p99 / longest CPU slice, ms (median of ${reps}):\n${loopLines.join('\n')}\n`);
    }
  } finally {
    for (const child of children.reverse()) await stopProcess(child).catch(() => undefined);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`[ab] failed: ${err instanceof Error ? err.stack : err}\n`);
    process.exit(1);
  },
);
