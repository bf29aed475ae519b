/**
 * A JSON Schema "bomb": `levels` definitions, each using the one below it
 * `branches` times, so that `branches ** levels` leaves hide in a few hundred
 * bytes once the $refs are inlined (13 levels of 3: 1.6 million, from 1.8 KB).
 */
export function schemaBomb(levels: number, branches: number): Record<string, unknown> {
  const defs: Record<string, unknown> = { l0: { type: 'string' } };
  for (let level = 1; level <= levels; level++) {
    const properties: Record<string, unknown> = {};
    for (let b = 0; b < branches; b++) properties[`b${b}`] = { $ref: `#/$defs/l${level - 1}` };
    defs[`l${level}`] = { type: 'object', properties };
  }
  return { type: 'object', properties: { root: { $ref: `#/$defs/l${levels}` } }, $defs: defs };
}
