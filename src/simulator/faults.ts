/** Injected faults: which requests they hit, and the error each kind answers with (upstream-protocol §6). */
import { goDuration, isoSeconds, protoDuration } from './durations';
import { CLOUDCODE_DOMAIN, SimHttpError, googleError, unauthenticated } from './google-errors';
import type { FaultSpec } from './types';

export const GENERATION_METHODS: readonly string[] = ['generateContent', 'streamGenerateContent'];

const DEFAULT_VALIDATION_URL = 'https://accounts.google.com/signin/continue?sarp=1&scc=1&plt=agate-simulator-validation';
const TOS_APPEAL_URL = 'https://support.google.com/accounts/contact/disabled2?p=agate-simulator';

/** What a request is, for fault matching. */
export interface FaultTarget {
  label: string;
  method: string;
  account?: string;
  model?: string;
}

interface ActiveFault {
  id: number;
  spec: FaultSpec;
  remaining: number;
}

export class FaultBook {
  private faults: ActiveFault[] = [];
  private nextId = 1;

  inject(spec: FaultSpec): number {
    const id = this.nextId++;
    this.faults.push({ id, spec, remaining: spec.times ?? 1 });
    return id;
  }

  /** The first fault that matches, counted as used. */
  take(target: FaultTarget): FaultSpec | undefined {
    const index = this.faults.findIndex((fault) => matches(fault.spec, target));
    if (index < 0) return undefined;
    const fault = this.faults[index];
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.splice(index, 1);
    return fault.spec;
  }

  list(): Array<FaultSpec & { id: number; remaining: number }> {
    return this.faults.map((fault) => ({ ...fault.spec, id: fault.id, remaining: fault.remaining }));
  }

  clear(): void {
    this.faults = [];
  }
}

function matches(spec: FaultSpec, target: FaultTarget): boolean {
  const methodMatches = spec.method === undefined ? GENERATION_METHODS.includes(target.method) : spec.method === '*' || spec.method === target.method;
  return (
    methodMatches &&
    (spec.account === undefined || spec.account === target.account) &&
    (spec.model === undefined || spec.model === target.model) &&
    (spec.host === undefined || spec.host === target.label)
  );
}

/** 429 with ErrorInfo (quotaResetDelay, quotaResetTimeStamp) and RetryInfo, as upstream-protocol §6 shows. */
export function quotaError(reason: 'RATE_LIMIT_EXCEEDED' | 'QUOTA_EXHAUSTED', model: string | undefined, delayMs: number, now: number): SimHttpError {
  const metadata: Record<string, string> = {
    quotaResetDelay: goDuration(delayMs),
    quotaResetTimeStamp: isoSeconds(now + delayMs),
  };
  if (model) metadata.model = model;
  return new SimHttpError(
    429,
    googleError(429, `You have exhausted your capacity on this model. Your quota will reset after ${goDuration(delayMs)}.`, [
      { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason, domain: CLOUDCODE_DOMAIN, metadata },
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: protoDuration(delayMs) },
    ]),
  );
}

const SERVER_ERROR_MESSAGES: Readonly<Record<number, string>> = {
  500: 'Internal error encountered.',
  502: 'Bad Gateway',
  503: 'The service is currently unavailable.',
  504: 'Deadline expired before operation could complete.',
};

/** The error a fault answers with; undefined for hang and reset_after, which act on the connection. */
export function faultError(spec: FaultSpec, model: string | undefined, now: number): SimHttpError | undefined {
  switch (spec.kind) {
    case 'rate_limited':
      return quotaError('RATE_LIMIT_EXCEEDED', model, spec.retryDelayMs ?? 1000, now);
    case 'quota_exhausted':
      return quotaError('QUOTA_EXHAUSTED', model, spec.resetInMs ?? 3_600_000, now);
    case 'capacity':
      return new SimHttpError(
        503,
        googleError(503, `No capacity available for model ${model ?? 'unknown'} on the server`, [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'MODEL_CAPACITY_EXHAUSTED',
            domain: CLOUDCODE_DOMAIN,
            metadata: model ? { model } : {},
          },
        ]),
      );
    case 'server_error': {
      const status = spec.status ?? 500;
      return new SimHttpError(status, googleError(status, SERVER_ERROR_MESSAGES[status] ?? 'Internal error encountered.'));
    }
    case 'unauthorized':
      return unauthenticated(false);
    case 'validation_required': {
      const url = spec.url ?? DEFAULT_VALIDATION_URL;
      return new SimHttpError(
        403,
        googleError(403, 'Verify your account to continue.', [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'VALIDATION_REQUIRED',
            domain: CLOUDCODE_DOMAIN,
            // The keys as recorded from Google (test/fixtures/cloudcode-recorded/403-validation-required.json).
            metadata: {
              validation_error_message: 'Verify your account to continue.',
              validation_url_link_text: 'Verify your account',
              validation_url: url,
              validation_learn_more_link_text: 'Learn more',
              validation_learn_more_url: 'https://support.google.com/accounts?p=al_alert',
            },
          },
          {
            '@type': 'type.googleapis.com/google.rpc.Help',
            links: [
              { description: 'Verify your account', url },
              { description: 'Learn more', url: 'https://support.google.com/accounts?p=al_alert' },
            ],
          },
        ]),
      );
    }
    case 'tos_disabled':
      return new SimHttpError(
        403,
        googleError(
          403,
          'This service has been disabled in this account for violation of Terms of Service. Please submit an appeal to continue using this product.',
          [{ '@type': 'type.googleapis.com/google.rpc.Help', links: [{ description: 'Submit an appeal', url: TOS_APPEAL_URL }] }],
        ),
      );
    case 'bad_request':
      return new SimHttpError(400, googleError(400, spec.message ?? 'Request contains an invalid argument.'));
    case 'hang':
    case 'reset_after':
      return undefined;
  }
}
