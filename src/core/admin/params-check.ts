import type { ErrorObject, ValidateFunction } from 'ajv';
import { GatewayError } from '../errors';
import { isAdminMethod, type AdminMethod, type AdminParams } from './protocol';

/**
 * A call's parameters validator (params-validators.ts: the schemas in protocol.ts, query strings' text coerced,
 * defaults filled in). Its module is loaded with the first check: in the bundles it holds every call's validator,
 * generated at build time, which a gateway without admin calls does not need.
 */
function validatorOf(method: AdminMethod): ValidateFunction {
  return (require('./params-validators') as typeof import('./params-validators')).adminParamsValidator(method);
}

/** The parameter an ajv error is about, dotted (`limits.rpm`); undefined for the parameters object itself. */
function paramOf(error: ErrorObject): string | undefined {
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'required') path.push(String((error.params as { missingProperty: string }).missingProperty));
  if (error.keyword === 'additionalProperties') path.push(String((error.params as { additionalProperty: string }).additionalProperty));
  return path.length > 0 ? path.join('.') : undefined;
}

function describe(error: ErrorObject, param: string | undefined): string {
  const name = param ? `"${param}"` : 'The parameters';
  switch (error.keyword) {
    case 'required':
      return `${name} is required`;
    case 'additionalProperties':
      return `${name} is not a parameter of this call`;
    case 'enum':
      return `${name} must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
    case 'type':
      return param ? `${name} ${error.message ?? 'has the wrong type'}` : 'The parameters must be a JSON object';
    default:
      return `${name} ${error.message ?? 'is invalid'}`;
  }
}

/** The call's parameters, checked (400 naming the parameter) with defaults filled in; `undefined`/`null` is no parameters. */
export function checkAdminParams<M extends AdminMethod>(method: M, params: unknown): AdminParams<M> {
  if (!isAdminMethod(method)) throw new GatewayError('not_found', `Unknown admin call "${String(method)}"`);
  // A shallow copy: coercion and defaults must not change the caller's object.
  const candidate = params === undefined || params === null ? {} : typeof params === 'object' && !Array.isArray(params) ? { ...params } : params;
  const validate = validatorOf(method);
  if (validate(candidate)) return candidate as AdminParams<M>;
  const [error] = validate.errors ?? [];
  if (!error) throw new GatewayError('invalid_request', 'Invalid parameters');
  // A union (the monitor's status filter) reports its branches; the first one names the parameter well enough.
  const param = paramOf(error);
  throw new GatewayError('invalid_request', describe(error, param), { param });
}
