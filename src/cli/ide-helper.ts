import fs from 'node:fs';
import { runDeferredSwitch, systemProcessTable } from '../core/ide';
import { takeJob } from '../core/ide/deferred';

/**
 * dist/ide-helper.js JOB_FILE LOG_FILE: the detached helper of a deferred
 * Antigravity IDE switch (see core/ide/deferred.ts). It outlives the IDE and
 * the Agate that started it, so it reports only to its log file.
 */
async function main(): Promise<void> {
  const [jobFile, logFile] = process.argv.slice(2);
  const log = (line: string) => fs.appendFileSync(logFile, `${new Date().toISOString()} ${line}\n`, { mode: 0o600 });
  try {
    const job = takeJob(jobFile);
    log(`waiting for ${job.installation.product} (${job.installation.userDataDir}) to quit`);
    const result = await runDeferredSwitch(job, { table: systemProcessTable, selfPids: new Set([process.pid]) });
    log(`signed in as ${result.email} (was ${result.previousEmail ?? 'unknown'}); backup ${result.backupPath}; started the IDE again`);
  } catch (err) {
    log(`failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
}

void main();
