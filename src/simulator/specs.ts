/**
 * Runtime checks for what callers hand the simulator (fault specs, account
 * specs, config patches), shared by the in-process API, the `/__sim` control
 * routes and the `[[sim:fault …]]` directive, so a typo fails loudly.
 */
import { isObject } from './http';
import { FAULT_KINDS, type AccountSpec, type FaultKind, type FaultSpec, type ProviderKeySpec, type ProviderKind, type SimulatorConfig } from './types';
import { PROVIDER_KINDS } from './providers/keys';

export class SpecError extends Error {
  override name = 'SpecError';
}

function optionalString(source: Record<string, unknown>, key: string): string | undefined {
  const value = source[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new SpecError(`${key} must be a non-empty string`);
  return value;
}

function optionalNumber(source: Record<string, unknown>, key: string, min: number): number | undefined {
  const value = source[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || Number.isNaN(value) || value < min) throw new SpecError(`${key} must be a number ≥ ${min}`);
  return value;
}

function rejectUnknownKeys(source: Record<string, unknown>, allowed: readonly string[], what: string): void {
  for (const key of Object.keys(source)) {
    if (!allowed.includes(key)) throw new SpecError(`unknown ${what} field "${key}"`);
  }
}

const FAULT_FIELDS = [
  'kind',
  'times',
  'account',
  'model',
  'host',
  'method',
  'retryDelayMs',
  'resetInMs',
  'status',
  'frames',
  'afterFrames',
  'message',
  'url',
] as const;

export function parseFaultSpec(input: unknown): FaultSpec {
  if (!isObject(input)) throw new SpecError('a fault must be an object');
  rejectUnknownKeys(input, FAULT_FIELDS, 'fault');
  const kind = input.kind;
  if (typeof kind !== 'string' || !FAULT_KINDS.includes(kind as FaultKind)) {
    throw new SpecError(`fault kind must be one of ${FAULT_KINDS.join(', ')}`);
  }
  const status = optionalNumber(input, 'status', 500);
  if (status !== undefined && (status > 599 || !Number.isInteger(status))) throw new SpecError('status must be a 5xx code');
  const spec: FaultSpec = {
    kind: kind as FaultKind,
    times: optionalNumber(input, 'times', 1),
    account: optionalString(input, 'account'),
    model: optionalString(input, 'model'),
    host: optionalString(input, 'host'),
    method: optionalString(input, 'method'),
    retryDelayMs: optionalNumber(input, 'retryDelayMs', 0),
    resetInMs: optionalNumber(input, 'resetInMs', 0),
    status,
    frames: optionalNumber(input, 'frames', 0),
    afterFrames: optionalNumber(input, 'afterFrames', 0),
    message: optionalString(input, 'message'),
    url: optionalString(input, 'url'),
  };
  for (const key of Object.keys(spec) as Array<keyof FaultSpec>) {
    if (spec[key] === undefined) delete spec[key];
  }
  return spec;
}

const ACCOUNT_FIELDS = ['email', 'refreshToken', 'projectId', 'onboarded', 'tier', 'accessTokenTtlSec', 'quota'] as const;
const TIERS = ['free-tier', 'standard-tier', 'g1-pro-tier', 'g1-ultra-tier'] as const;

export function parseAccountSpec(input: unknown): AccountSpec {
  if (!isObject(input)) throw new SpecError('an account must be an object');
  rejectUnknownKeys(input, ACCOUNT_FIELDS, 'account');
  const email = optionalString(input, 'email');
  const refreshToken = optionalString(input, 'refreshToken');
  if (!email || !email.includes('@')) throw new SpecError('email must be an email address');
  if (!refreshToken) throw new SpecError('refreshToken is required');
  const tier = optionalString(input, 'tier');
  if (tier !== undefined && !(TIERS as readonly string[]).includes(tier)) throw new SpecError(`tier must be one of ${TIERS.join(', ')}`);
  if (input.onboarded !== undefined && typeof input.onboarded !== 'boolean') throw new SpecError('onboarded must be a boolean');
  const ttl = optionalNumber(input, 'accessTokenTtlSec', 0);
  if (ttl === 0) throw new SpecError('accessTokenTtlSec must be positive');
  let quota: Record<string, number> | undefined;
  if (input.quota !== undefined) {
    if (!isObject(input.quota)) throw new SpecError('quota must map model ids to fractions');
    quota = {};
    for (const [model, fraction] of Object.entries(input.quota)) {
      if (typeof fraction !== 'number' || fraction < 0 || fraction > 1) throw new SpecError(`quota.${model} must be within 0..1`);
      quota[model] = fraction;
    }
  }
  return {
    email,
    refreshToken,
    projectId: optionalString(input, 'projectId'),
    onboarded: input.onboarded as boolean | undefined,
    tier,
    accessTokenTtlSec: ttl,
    quota,
  };
}

const CONFIG_MINIMUMS: Readonly<Record<keyof SimulatorConfig, number>> = {
  firstByteDelayMs: 0,
  frameIntervalMs: 0,
  framesPerAnswer: 1,
  quotaCostPerRequest: 0,
  quotaWindowMs: 1,
  onboardingPolls: 0,
};

export function parseConfigPatch(input: unknown): Partial<SimulatorConfig> {
  if (!isObject(input)) throw new SpecError('a config patch must be an object');
  rejectUnknownKeys(input, Object.keys(CONFIG_MINIMUMS), 'config');
  const patch: Partial<SimulatorConfig> = {};
  for (const key of Object.keys(CONFIG_MINIMUMS) as Array<keyof SimulatorConfig>) {
    const value = optionalNumber(input, key, CONFIG_MINIMUMS[key]);
    if (value !== undefined) patch[key] = value;
  }
  if (patch.framesPerAnswer !== undefined) patch.framesPerAnswer = Math.floor(patch.framesPerAnswer);
  return patch;
}

export function parseProviderKeySpec(input: unknown): ProviderKeySpec {
  if (!isObject(input)) throw new SpecError('a provider key must be an object');
  rejectUnknownKeys(input, ['provider', 'key', 'name'], 'provider key');
  const provider = input.provider;
  if (typeof provider !== 'string' || !PROVIDER_KINDS.includes(provider as ProviderKind)) {
    throw new SpecError(`provider must be one of ${PROVIDER_KINDS.join(', ')}`);
  }
  const key = optionalString(input, 'key');
  if (!key) throw new SpecError('key is required');
  return { provider: provider as ProviderKind, key, name: optionalString(input, 'name') };
}
