/**
 * The benchmark's 10-second smoke (`node bench/run.mjs --smoke`): the harness
 * must start every process, drive every protocol and write its report. It
 * checks the shape of the results, never the performance figures.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const PROTOCOL_TARGETS = ['anthropic', 'openai-chat', 'responses', 'gemini'].flatMap((protocol) => [`agate ${protocol}`, `agate ${protocol} stream`]);

function runSmoke(outDir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bench/run.mjs', '--smoke', '--out', outDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data) => (stdout += data));
    child.stderr.on('data', (data) => (stderr += data));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('bench --smoke', function () {
  this.timeout(120_000);
  let outDir: string;

  before(() => {
    assert.ok(fs.existsSync('dist/cli.js'), 'dist/cli.js: build first (npm test does)');
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agate-bench-smoke-'));
  });
  after(() => fs.rmSync(outDir, { recursive: true, force: true }));

  it('drives every protocol through direct, pass-through and Agate and writes JSON, Markdown and SVG', async () => {
    const { code, stdout, stderr } = await runSmoke(outDir);
    assert.equal(code, 0, `bench exited with ${code}:\n${stderr.slice(-3000)}`);
    const files = fs.readdirSync(outDir);
    const json = files.find((file) => file.endsWith('.json'));
    assert.ok(json, `no JSON in ${files.join(', ')}`);
    const stem = json.slice(0, -'.json'.length);
    assert.ok(files.includes(`${stem}.md`) && files.includes(`${stem}.svg`), `missing .md or .svg: ${files.join(', ')}`);
    const svg = fs.readFileSync(path.join(outDir, `${stem}.svg`), 'utf8');
    assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"[\s\S]*<polyline[\s\S]*<\/svg>\n$/);
    assert.match(stdout, /## Targets/);

    const result = JSON.parse(fs.readFileSync(path.join(outDir, json), 'utf8'));
    assert.equal(result.meta.smoke, true);
    const stepNames = new Set(result.steps.map((step: { name: string }) => step.name));
    for (const name of ['direct', 'direct stream', 'passthrough', 'passthrough stream', ...PROTOCOL_TARGETS]) {
      assert.ok(stepNames.has(name), `no step for ${name}`);
    }
    for (const step of result.steps) {
      // Every request of the smoke answered 2xx: a protocol the harness drives wrongly shows up here.
      assert.equal(step.failed, 0, `${step.name}: ${step.failed} requests failed`);
      assert.ok(Number.isFinite(step.total.p50) && step.total.p50 > 0, `${step.name}: latency ${step.total.p50}`);
      if (step.kind !== 'direct') assert.ok(step.added && Number.isFinite(step.added.p99), `${step.name}: no added latency`);
      if (step.kind !== 'direct') assert.ok(Number.isFinite(step.cpuMsPer1000), `${step.name}: no CPU figure`);
      if (step.stream) assert.ok(Number.isFinite(step.ttft.p50), `${step.name}: no first-token time`);
    }
    assert.ok(result.saturation.length >= 1 && result.saturation.every((entry: { rps: number }) => entry.rps > 0));
    assert.ok(result.rss.idle.agate > 0 && result.rss.idle.passthrough > 0);
    assert.equal(result.translation.tools, 24);
    assert.ok(result.translation.medianMs.translate > 0);
    assert.ok(
      result.stores.some((step: { kind: string }) => step.kind === 'agate-plain'),
      'no stores-off comparison',
    );
    // The API-key provider passthrough rows, the gateway's and the bare pass-through's, streamed and not, with their target lines.
    const passthroughRows = result.providerPassthrough as Array<{ name: string; failed: number; cpuMsPer1000: number }>;
    assert.equal(passthroughRows.length, 4, passthroughRows.map((row) => row.name).join(', '));
    for (const row of passthroughRows)
      assert.ok(row.failed === 0 && Number.isFinite(row.cpuMsPer1000), `${row.name}: ${row.failed} failed, CPU ${row.cpuMsPer1000}`);
    assert.equal(result.targets.filter((target: { target: string }) => target.target.startsWith('CPU provider passthrough')).length, 2);
    assert.ok(result.targets.length > 0 && result.targets.every((target: { holds: unknown }) => typeof target.holds === 'boolean'));
    // The gateway's event-loop delay came back over IPC for every gateway step.
    for (const step of result.steps.filter((s: { kind: string }) => s.kind === 'agate')) {
      assert.ok(Number.isFinite(step.loop?.p99) && Number.isFinite(step.loop?.max), `${step.name}: no loop delay`);
    }
    // Claude Code's request through the gateway and through the probed pass-through, its floor.
    const claudeCodeKinds = (result.claudeCode as Array<{ kind: string; failed: number; loop: { p99: number } }>).map((step) => {
      assert.ok(step.failed === 0 && Number.isFinite(step.loop.p99), `${step.kind}: ${step.failed} failed, loop p99 ${step.loop.p99}`);
      return step.kind;
    });
    assert.deepEqual(claudeCodeKinds.sort(), ['agate', 'passthrough-probed']);
    assert.ok(
      result.largeBodies.length >= 1 &&
        result.largeBodies.every((e: { bytes: number; longestSliceMs: number }) => e.bytes >= 1024 * 1024 && Number.isFinite(e.longestSliceMs)),
    );
    assert.ok(result.translation.large.some((e: { bytes: number; serialize: number }) => e.bytes >= 1024 * 1024 && e.serialize > 0));
    assert.match(stdout, /Event-loop delay p99 ≤ 10 ms.*\(the pass-through relaying it: p99 \d/);
  });
});
