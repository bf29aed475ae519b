/**
 * The configuration is defined once (src/core/config/definition.ts, and the
 * editor's layout in src/vscode/settings-definition.ts); everything else is
 * derived from it and must stay in step.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { TSchema } from '@sinclair/typebox';
import { configSchema, schemaAt } from '../../../src/core/config/definition';
import { defaultConfig } from '../../../src/core/config/defaults';
import { ConfigError, loadConfig, validateConfig } from '../../../src/core/config/load';
import { contributedConfiguration, GATEWAY_SETTINGS, SECTION } from '../../../src/vscode/settings-definition';

const ROOT = path.resolve(__dirname, '../../..');

function leaves(schema: TSchema, prefix = ''): Array<[string, TSchema]> {
  const properties = (schema as { properties?: Record<string, TSchema> }).properties ?? {};
  return Object.entries(properties).flatMap(([key, child]) => {
    const dotted = prefix ? `${prefix}.${key}` : key;
    return child.type === 'object' && child.properties && Object.keys(child.properties).length > 0
      ? leaves(child, dotted)
      : [[dotted, child] as [string, TSchema]];
  });
}

describe('configuration: one definition', () => {
  it("package.json's contributes.configuration is generated from it (npx tsx scripts/generate-settings.ts)", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { contributes: { configuration: unknown } };
    assert.deepEqual(manifest.contributes.configuration, contributedConfiguration());
  });

  it('every key has a description, and every key but the data dir a default', () => {
    const undocumented = leaves(configSchema)
      .filter(([, schema]) => !schema.description)
      .map(([key]) => key);
    assert.deepEqual(undocumented, []);
    const withoutDefault = leaves(configSchema)
      .filter(([, schema]) => schema.default === undefined)
      .map(([key]) => key);
    assert.deepEqual(withoutDefault, ['dataDir']);
  });

  it('the defaults are a valid configuration', () => {
    assert.doesNotThrow(() => validateConfig(defaultConfig()));
    assert.equal(defaultConfig().scheduling.mode, schemaAt('scheduling.mode')!.default);
  });

  it('every editor setting of the gateway is a configuration key, with the same default', () => {
    const properties = Object.assign({}, ...contributedConfiguration().map((c) => c.properties)) as Record<string, { default?: unknown }>;
    for (const key of GATEWAY_SETTINGS) {
      const schema = schemaAt(key);
      assert.ok(schema, `${SECTION}.${key} is no configuration key`);
      assert.deepEqual(properties[`${SECTION}.${key}`].default, schema.default, key);
    }
  });

  it('editor settings arrive as typed values, and a bad one is named as the setting it is', () => {
    const config = loadConfig({
      flags: { dataDir: '/tmp/agate-definition-test' },
      settings: { values: { 'scheduling.maxAttempts': 3, 'models.aliases': { 'gpt-4o': 'gemini-3-flash' } }, describe: (key) => `setting ${SECTION}.${key}` },
    });
    assert.equal(config.scheduling.maxAttempts, 3);
    assert.deepEqual(config.models.aliases, { 'gpt-4o': 'gemini-3-flash' });
    assert.throws(
      () =>
        loadConfig({ flags: { dataDir: '/tmp/x' }, settings: { values: { 'scheduling.mode': 'fastest' }, describe: (key) => `setting ${SECTION}.${key}` } }),
      (err: unknown) => err instanceof ConfigError && err.key === 'scheduling.mode' && /\(from setting agate\.scheduling\.mode\)/.test(err.message),
    );
  });
});
