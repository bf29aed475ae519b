// Entry point that VS Code's extension host loads through `extensionTestsPath`: it calls `run()` once the
// extension under development is registered, and exits with 0 when the promise resolves, 1 when it rejects.
// Bundled (with mocha) by test/vscode/build-tests.mjs; each `*.test.ts` beside this file becomes its own
// `*.test.js` beside the bundled index, found here at run time.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import { GREP_ENV } from '../harness-env';

export async function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'bdd',
    // The spec reporter prints through console.log, which the extension host forwards to the workbench log
    // (and from there to the runner's stdout); colour codes would arrive as literal escapes.
    reporter: 'spec',
    color: false,
    // The extension host shares 2 cores with the browser and the server: a generous bound, not a benchmark.
    timeout: 60_000,
  });
  const grep = process.env[GREP_ENV];
  if (grep) mocha.grep(grep);
  for (const file of findTestFiles(__dirname)) mocha.addFile(file);

  const counts = { passed: 0, failed: 0, skipped: 0 };
  await new Promise<void>((resolve) => {
    mocha
      .run(() => resolve())
      .on('pass', () => counts.passed++)
      .on('fail', () => counts.failed++)
      .on('pending', () => counts.skipped++);
  });
  // A closing line CI can count by (the workplace reads a plain "N passed, N failed" line).
  console.log(`vscode: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  if (counts.failed > 0) throw new Error(`${counts.failed} extension-host test(s) failed`);
  if (counts.passed === 0) throw new Error('no extension-host test ran');
}

function findTestFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.js'))
    .sort()
    .map((file) => path.join(dir, file));
}
