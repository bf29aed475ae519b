/**
 * The bundles check the admin calls' parameters with code ajv generated at build time (scripts/lean-bundle-plugins.mjs),
 * the sources with the validators ajv compiles at run time: for every call both accept and refuse the same
 * parameters, coerce and fill them in alike, and report the same first error, which the 400 is worded from.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import type { ValidateFunction } from 'ajv';
import { ADMIN_CALLS, adminParamsValidator } from '../../../src/core/admin/params-validators';
import type { AdminMethod } from '../../../src/core/admin/protocol';
import { bundledModule } from '../../helpers/bundled-module';

const entry = path.resolve(__dirname, '../../../src/core/admin/params-validators.ts');

async function bundledValidators(): Promise<(method: AdminMethod) => ValidateFunction> {
  const { standaloneAdminParamsValidators } = await import('../../../scripts/lean-bundle-plugins.mjs');
  const bundled = await bundledModule<{ adminParamsValidator(method: AdminMethod): ValidateFunction }>(entry, standaloneAdminParamsValidators);
  return bundled.adminParamsValidator;
}

/** Each parameter of the call set to values of every type, as a query string (text) or a JSON body would carry it. */
function candidatesOf(method: AdminMethod): unknown[] {
  const properties = Object.keys((ADMIN_CALLS[method].params as { properties?: object }).properties ?? {});
  const values = [null, 1, 0, -5, 1.5, '1', '0', 'true', 'false', true, false, 'abc', '', [], ['a'], {}, 'x'.repeat(300)];
  return [
    {},
    { notAParameter: 1 },
    [],
    'text',
    ...properties.flatMap((name) => values.map((value) => ({ [name]: value }))),
    Object.fromEntries(properties.map((name) => [name, '1'])),
  ];
}

describe('admin API: the parameter validators generated for the bundles', () => {
  it('accept, coerce, fill in and refuse what the run-time validators do, with the same first error', async function () {
    this.timeout(60_000);
    const bundledOf = await bundledValidators();
    let refused = 0;
    for (const method of Object.keys(ADMIN_CALLS) as AdminMethod[]) {
      const bundled = bundledOf(method);
      const compiled = adminParamsValidator(method);
      for (const candidate of candidatesOf(method)) {
        const [mine, theirs] = [structuredClone(candidate), structuredClone(candidate)];
        const ok = bundled(mine);
        const what = `${method} ${JSON.stringify(candidate)}`;
        assert.equal(ok, compiled(theirs), what);
        assert.deepEqual(mine, theirs, what);
        assert.deepEqual(bundled.errors?.[0] ?? null, compiled.errors?.[0] ?? null, what);
        if (!ok) refused++;
      }
    }
    assert.ok(refused > 0, 'some candidates are refused');
  });
});
