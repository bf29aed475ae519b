import os from 'node:os';
import { systemClock, type Clock } from '../../ports';
import { UpstreamFailure } from '../failure';
import type { AccountApi, CodeAssistInfo, ModelInfo, ModelQuotaSnapshot } from '../upstream';
import type { CloudCodeClient } from './client';

/** Project discovery, onboarding and quota (upstream-protocol §3, §4). */

export interface AccountApiOptions {
  clock?: Clock;
  /** Pause between onboarding polls (gemini-cli waits 5 s; the service usually answers within a few). */
  onboardPollIntervalMs?: number;
  /** Polls before onboarding is declared stuck. */
  onboardMaxPolls?: number;
}

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function platform(): string {
  const arch = os.arch() === 'arm64' ? 'ARM64' : os.arch() === 'x64' ? 'AMD64' : undefined;
  const system = { darwin: 'DARWIN', linux: 'LINUX', win32: 'WINDOWS' }[os.platform() as string];
  return arch && system ? `${system}_${arch}` : 'PLATFORM_UNSPECIFIED';
}

/** What the Antigravity IDE says about itself to loadCodeAssist and onboardUser. */
function clientMetadata(): Json {
  return { ideType: 'ANTIGRAVITY', platform: platform(), pluginType: 'GEMINI' };
}

/** `cloudaicompanionProject` comes as a bare id or as `{id}`. */
function projectIdOf(value: unknown): string | undefined {
  if (typeof value === 'string' && value) return value;
  if (isRecord(value) && typeof value.id === 'string' && value.id) return value.id;
  return undefined;
}

function tierIdOf(value: unknown): string | undefined {
  return isRecord(value) && typeof value.id === 'string' ? value.id : undefined;
}

function parseCodeAssist(body: unknown): CodeAssistInfo {
  const json = isRecord(body) ? body : {};
  const allowedTiers = (Array.isArray(json.allowedTiers) ? json.allowedTiers : [])
    .filter(isRecord)
    .filter((t) => typeof t.id === 'string')
    .map((t) => (t.isDefault === true ? { id: t.id as string, isDefault: true } : { id: t.id as string }));
  const info: CodeAssistInfo = { allowedTiers };
  const projectId = projectIdOf(json.cloudaicompanionProject);
  if (projectId) info.projectId = projectId;
  const currentTier = tierIdOf(json.currentTier);
  if (currentTier) info.currentTier = currentTier;
  const paidTier = tierIdOf(json.paidTier);
  if (paidTier) info.paidTier = paidTier;
  return info;
}

function modelInfo(id: string, entry: Json): ModelInfo {
  const quota = isRecord(entry.quotaInfo) ? entry.quotaInfo : {};
  const resetAt = typeof quota.resetTime === 'string' ? Date.parse(quota.resetTime) : NaN;
  // upstream-protocol §4: a reset time without a fraction means the quota is spent.
  const remainingFraction = typeof quota.remainingFraction === 'number' ? quota.remainingFraction : Number.isNaN(resetAt) ? 1 : 0;
  const info: ModelInfo = { id, remainingFraction };
  if (!Number.isNaN(resetAt)) info.resetAt = resetAt;
  if (typeof entry.displayName === 'string') info.displayName = entry.displayName;
  for (const key of ['maxTokens', 'maxOutputTokens', 'thinkingBudget'] as const) {
    if (typeof entry[key] === 'number') info[key] = entry[key];
  }
  for (const key of ['supportsImages', 'supportsThinking', 'recommended'] as const) {
    if (typeof entry[key] === 'boolean') info[key] = entry[key];
  }
  return info;
}

function parseAvailableModels(body: unknown, fetchedAt: number): ModelQuotaSnapshot {
  const json = isRecord(body) ? body : {};
  const models = isRecord(json.models) ? Object.entries(json.models).flatMap(([id, entry]) => (isRecord(entry) ? [modelInfo(id, entry)] : [])) : [];
  const deprecated: Record<string, string> = {};
  if (isRecord(json.deprecatedModelIds)) {
    for (const [oldId, entry] of Object.entries(json.deprecatedModelIds)) {
      if (isRecord(entry) && typeof entry.newModelId === 'string') deprecated[oldId] = entry.newModelId;
    }
  }
  return { models, deprecated, fetchedAt };
}

/** A finished onboarding operation → the project id, or why there is none. */
function onboardedProject(operation: Json): string {
  if (isRecord(operation.error)) {
    const message = typeof operation.error.message === 'string' ? operation.error.message : 'onboarding failed';
    throw new UpstreamFailure('forbidden', `Cloud Code onboarding failed: ${message}`, { body: operation });
  }
  const response = isRecord(operation.response) ? operation.response : {};
  const projectId = projectIdOf(response.cloudaicompanionProject);
  if (!projectId) throw new UpstreamFailure('server', 'Cloud Code onboarding finished without a project', { body: operation });
  return projectId;
}

export class CloudCodeAccountApi implements AccountApi {
  private readonly clock: Clock;
  private readonly pollIntervalMs: number;
  private readonly maxPolls: number;

  constructor(
    private readonly client: CloudCodeClient,
    options: AccountApiOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.pollIntervalMs = options.onboardPollIntervalMs ?? 2000;
    this.maxPolls = options.onboardMaxPolls ?? 30;
  }

  async loadCodeAssist(accessToken: string, signal?: AbortSignal): Promise<CodeAssistInfo> {
    const body = await this.client.call({
      method: 'loadCodeAssist',
      accessToken,
      signal,
      body: { metadata: clientMetadata() },
    });
    return parseCodeAssist(body);
  }

  /** Onboarding is a long-running operation: re-POSTing onboardUser polls it (as gemini-cli does). */
  async onboardUser(accessToken: string, tierId: string, signal?: AbortSignal): Promise<string> {
    const request = { tierId, metadata: clientMetadata() };
    for (let poll = 0; poll < this.maxPolls; poll++) {
      if (poll > 0) await this.clock.sleep(this.pollIntervalMs, signal);
      const operation = await this.client.call({ method: 'onboardUser', accessToken, signal, body: request });
      if (isRecord(operation) && operation.done === true) return onboardedProject(operation);
    }
    throw new UpstreamFailure('timeout', `Cloud Code onboarding did not finish after ${this.maxPolls} polls`);
  }

  async fetchAvailableModels(accessToken: string, projectId: string, signal?: AbortSignal): Promise<ModelQuotaSnapshot> {
    const body = await this.client.call({
      method: 'fetchAvailableModels',
      accessToken,
      signal,
      body: { project: projectId },
    });
    return parseAvailableModels(body, this.clock.now());
  }
}
