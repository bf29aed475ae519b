/**
 * The bundles validate the configuration with code ajv generated at build time (scripts/lean-bundle-plugins.mjs),
 * the sources with the validator ajv compiles at run time: both accept and refuse the same configurations, with
 * the same first error, which is what the messages are built from.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import type { ValidateFunction } from 'ajv';
import { configValidator } from '../../../src/core/config/config-validator';
import { defaultConfig } from '../../../src/core/config/defaults';
import { bundledModule } from '../../helpers/bundled-module';

const entry = path.resolve(__dirname, '../../../src/core/config/config-validator.ts');

async function bundledValidator(): Promise<ValidateFunction> {
  const { standaloneConfigValidator } = await import('../../../scripts/lean-bundle-plugins.mjs');
  return (await bundledModule<{ configValidator(): ValidateFunction }>(entry, standaloneConfigValidator)).configValidator();
}

describe('configuration: the validator generated for the bundles', () => {
  it('accepts and refuses what the run-time validator does, with the same first error', async function () {
    this.timeout(60_000);
    const bundled = await bundledValidator();
    const compiled = configValidator();
    const defaults = defaultConfig() as unknown as Record<string, Record<string, unknown>>;
    const candidates: unknown[] = [
      defaults,
      { ...defaults, port: -1 },
      { ...defaults, port: 'eight' },
      { ...defaults, surprise: true },
      { ...defaults, scheduling: { ...defaults.scheduling, mode: 'fastest' } },
      { ...defaults, upstream: { ...defaults.upstream, hosts: ['not a url'] } },
      [],
    ];
    const verdicts = candidates.map((candidate) => {
      const ok = bundled(structuredClone(candidate));
      assert.equal(ok, compiled(structuredClone(candidate)), JSON.stringify(candidate).slice(0, 200));
      assert.deepEqual(bundled.errors ?? null, compiled.errors ?? null);
      return ok;
    });
    assert.deepEqual(verdicts, [true, false, false, false, false, false, false]);
  });
});
