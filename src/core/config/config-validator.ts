import Ajv, { type Options, type ValidateFunction } from 'ajv';
import { configSchema } from './definition';

export { configSchema };

/** The schema is built by TypeBox (definition.ts), so it needs no meta-schema check (≈ 4 MB less at start-up). */
export const CONFIG_AJV_OPTIONS: Options = { allErrors: false, strict: false, validateSchema: false, meta: false };

let validate: ValidateFunction | undefined;

/**
 * The configuration's validator. From source (tests, tsx) it is compiled here on first use; in the bundles
 * esbuild.mjs replaces this module by the same validator generated at build time (ajv's standalone code from
 * this schema and these options): compiling it at every start cost `agate serve` and the editor's process about
 * 10 MB of RSS, since ajv's code generation grows a heap that stays grown.
 */
export function configValidator(): ValidateFunction {
  return (validate ??= new Ajv(CONFIG_AJV_OPTIONS).compile(configSchema));
}
