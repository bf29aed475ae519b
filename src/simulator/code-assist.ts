/**
 * The account-level Cloud Code methods (upstream-protocol §3, §4): loadCodeAssist,
 * onboardUser as a long-running operation, fetchAvailableModels, countTokens.
 */
import type { OnboardingOperation, SimAccount } from './accounts';
import { isoSeconds } from './durations';
import { invalidArgument, notFound } from './google-errors';
import { isObject } from './http';
import { DEPRECATED_MODEL_IDS, SIM_MODELS, findModel } from './models';
import type { SimState } from './state';
import { promptTokens } from './tokens';
import { validateContents, validateParts } from './validate-contents';
import { rejectUnknownKeys } from './validate-tools';
import type { GenerateRequest } from './wire';

const TIER_NAMES: Readonly<Record<string, string>> = {
  'free-tier': 'Antigravity',
  'standard-tier': 'Antigravity Standard',
  'g1-pro-tier': 'Google AI Pro',
  'g1-ultra-tier': 'Google AI Ultra',
};
const ONBOARDABLE_TIERS = ['free-tier', 'standard-tier'];

function tier(id: string, isDefault?: boolean): Record<string, unknown> {
  const value: Record<string, unknown> = { id, name: TIER_NAMES[id], description: `${TIER_NAMES[id]} (simulated)`, userDefinedCloudaicompanionProject: false };
  if (isDefault !== undefined) value.isDefault = isDefault;
  return value;
}

function requireObject(body: unknown, what: string): Record<string, unknown> {
  if (!isObject(body)) throw invalidArgument(`Invalid JSON payload received. ${what} must be an object.`);
  return body;
}

function requireOwnProject(project: unknown, account: SimAccount): void {
  if (!account.onboarded || project !== account.projectId) {
    throw invalidArgument(`Invalid project ${JSON.stringify(project ?? null)}: it is not the Cloud Code project of the caller.`);
  }
}

export function loadCodeAssist(body: unknown, account: SimAccount): unknown {
  const request = requireObject(body, 'LoadCodeAssistRequest');
  rejectUnknownKeys(request, ['metadata', 'cloudaicompanionProject', 'mode'], '');
  if (!isObject(request.metadata)) throw invalidArgument('Invalid request: field "metadata" is required and must be an object.');
  const allowedTiers = [tier('free-tier', true), tier('standard-tier', false)];
  if (!account.onboarded) return { allowedTiers };
  const paid = account.tier.startsWith('g1-');
  const response: Record<string, unknown> = {
    currentTier: tier(paid ? 'standard-tier' : account.tier),
    allowedTiers,
    cloudaicompanionProject: account.projectId,
  };
  if (paid) response.paidTier = tier(account.tier);
  return response;
}

function operationState(account: SimAccount, operation: OnboardingOperation): unknown {
  if (operation.pollsLeft > 0) {
    operation.pollsLeft -= 1;
    return { name: operation.name, done: false };
  }
  account.onboarded = true;
  return {
    name: operation.name,
    done: true,
    response: {
      '@type': 'type.googleapis.com/google.internal.cloud.code.v1internal.OnboardUserResponse',
      cloudaicompanionProject: { id: account.projectId, name: account.projectId },
    },
  };
}

/** Starts onboarding, or reports the running operation: re-POSTing is one way to poll. */
export function onboardUser(state: SimState, body: unknown, account: SimAccount): unknown {
  const request = requireObject(body, 'OnboardUserRequest');
  rejectUnknownKeys(request, ['tierId', 'metadata', 'cloudaicompanionProject'], '');
  if (typeof request.tierId !== 'string' || !ONBOARDABLE_TIERS.includes(request.tierId)) {
    throw invalidArgument(`Invalid tier ID: ${JSON.stringify(request.tierId ?? null)}. Use one of the allowedTiers loadCodeAssist reports.`);
  }
  if (!account.onboarding) {
    account.onboarding = {
      name: `operations/onboard-${state.nextSequence()}`,
      pollsLeft: account.onboarded ? 0 : state.config.onboardingPolls,
    };
  }
  return operationState(account, account.onboarding);
}

/** GET {label}/v1internal/{operation name}: only the caller's own operation exists. */
export function getOperation(name: string, account: SimAccount): unknown {
  if (!account.onboarding || account.onboarding.name !== name) throw notFound();
  return operationState(account, account.onboarding);
}

export function fetchAvailableModels(state: SimState, body: unknown, account: SimAccount): unknown {
  const request = requireObject(body, 'FetchAvailableModelsRequest');
  rejectUnknownKeys(request, ['project'], '');
  requireOwnProject(request.project, account);
  const models: Record<string, unknown> = {};
  for (const model of SIM_MODELS) {
    const window = account.quota.window(model.id, state.config.quotaWindowMs);
    // upstream-protocol §4: an exhausted model has a resetTime and no remainingFraction.
    const quotaInfo: Record<string, unknown> = { resetTime: isoSeconds(window.resetAt) };
    if (window.fraction > 0) quotaInfo.remainingFraction = window.fraction;
    const entry: Record<string, unknown> = {
      displayName: model.displayName,
      quotaInfo,
      maxTokens: model.maxTokens,
      maxOutputTokens: model.maxOutputTokens,
      supportsImages: model.family !== 'gpt',
      supportsThinking: model.thinking,
      recommended: model.recommended,
    };
    if (model.thinkingBudget !== undefined) entry.thinkingBudget = model.thinkingBudget;
    models[model.id] = entry;
  }
  const deprecatedModelIds = Object.fromEntries(Object.entries(DEPRECATED_MODEL_IDS).map(([old, id]) => [old, { newModelId: id }]));
  return { models, deprecatedModelIds };
}

/** countTokens `{"request":{"model":"models/<m>","contents":[…]}}` → `{totalTokens}` (upstream-protocol §2). */
export function countTokens(body: unknown): { totalTokens: number } {
  const envelope = requireObject(body, 'CountTokensRequest');
  rejectUnknownKeys(envelope, ['request'], '');
  const request = requireObject(envelope.request, 'request');
  rejectUnknownKeys(request, ['model', 'contents', 'systemInstruction', 'tools', 'generationConfig'], 'request');
  if (typeof request.model !== 'string' || !request.model.startsWith('models/')) {
    throw invalidArgument('Invalid request: request.model must be "models/<model id>".');
  }
  if (!findModel(request.model.slice('models/'.length))) throw notFound();
  validateContents(request.contents, false);
  if (request.systemInstruction !== undefined) {
    if (!isObject(request.systemInstruction)) throw invalidArgument('Invalid request: systemInstruction must be an object.');
    validateParts(request.systemInstruction.parts, 'system_instruction', 'system');
  }
  return { totalTokens: promptTokens(request as unknown as GenerateRequest) };
}

/** retrieveUserQuota (upstream-protocol §1): the same quota as buckets. */
export function retrieveUserQuota(state: SimState, body: unknown, account: SimAccount): unknown {
  const request = requireObject(body, 'RetrieveUserQuotaRequest');
  rejectUnknownKeys(request, ['project', 'userAgent'], '');
  requireOwnProject(request.project, account);
  const buckets = SIM_MODELS.map((model) => {
    const window = account.quota.window(model.id, state.config.quotaWindowMs);
    return { modelId: model.id, remainingFraction: window.fraction, resetTime: isoSeconds(window.resetAt), tokenType: 'REQUESTS' };
  });
  return { buckets };
}
