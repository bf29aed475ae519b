import type Ajv from 'ajv';
import type { Options, ValidateFunction } from 'ajv';
import { ADMIN_CALLS, type AdminMethod } from './protocol';

export { ADMIN_CALLS };

/** Query strings carry numbers and booleans as text, hence the coercion; defaults in the schemas are filled in. */
export const ADMIN_AJV_OPTIONS: Options = { allErrors: false, strict: false, coerceTypes: true, useDefaults: true };

let ajv: Ajv | undefined;
const validators = new Map<AdminMethod, ValidateFunction>();

/**
 * A call's parameters validator. From source (tests, tsx) it is compiled here on its first use; in the bundles
 * esbuild.mjs replaces this module by the same validators generated at build time (ajv's standalone code from
 * these schemas and options): loading ajv and compiling at the first admin call (`agate demo` adds its provider
 * with one, the dashboard makes them) grew a gateway's RSS by ≈ 8 MB for good.
 */
export function adminParamsValidator(method: AdminMethod): ValidateFunction {
  let validate = validators.get(method);
  if (!validate) {
    const { default: AjvClass } = require('ajv') as { default: typeof Ajv };
    ajv ??= new AjvClass(ADMIN_AJV_OPTIONS);
    validate = ajv.compile(ADMIN_CALLS[method].params);
    validators.set(method, validate);
  }
  return validate;
}
