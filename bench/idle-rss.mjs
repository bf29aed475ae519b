/**
 * Idle RSS of `agate serve` (no accounts, default settings) for one or more builds,
 * interleaved, each started fresh `--runs` times; prints the median MB. With
 * `--demo`: `agate demo --simulator URL` instead (the demo account, its start-up
 * token refresh and quota fetch done), as bench/run.mjs measures it.
 *
 *   node bench/idle-rss.mjs [--runs 5] [--demo] NAME=path/to/cli.js ...
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { median } from './lib/stats.mjs';
import { freePort, rssMb, stopProcess, waitForHttp } from './lib/procs.mjs';

const { values, positionals } = parseArgs({ options: { runs: { type: 'string' }, demo: { type: 'boolean' } }, allowPositionals: true });
const builds = positionals.map((spec) => ({ name: spec.split('=')[0], cli: path.resolve(spec.split('=')[1]) }));
const readings = new Map(builds.map((build) => [build.name, []]));
let simulator;
let simUrl;
if (values.demo) {
  const simPort = await freePort();
  simUrl = `http://127.0.0.1:${simPort}`;
  simulator = spawn(process.execPath, [builds[0].cli, 'simulate', '--port', String(simPort), '--quota-cost', '0'], { stdio: 'ignore' });
  await waitForHttp(`${simUrl}/__sim/config`, simulator);
}
for (let run = 0; run < Number(values.runs ?? 5); run++) {
  for (const build of builds) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agate-rss-'));
    const port = await freePort();
    const command = values.demo ? ['demo', '--simulator', simUrl] : ['serve'];
    const child = spawn(process.execPath, [build.cli, ...command, '--port', String(port), '--data-dir', dataDir], { stdio: 'ignore' });
    try {
      await waitForHttp(`http://127.0.0.1:${port}/healthz`, child);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      readings.get(build.name).push(rssMb(child.pid));
    } finally {
      await stopProcess(child);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }
}
if (simulator) await stopProcess(simulator);
for (const [name, list] of readings)
  process.stdout.write(`${name}: idle RSS median ${median(list).toFixed(1)} MB (${list.map((v) => v.toFixed(1)).join(', ')})\n`);
