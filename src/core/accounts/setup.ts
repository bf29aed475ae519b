import type { AccountApi, ModelQuotaSnapshot } from '../upstream/upstream';
import type { OAuthClient, OAuthTokens } from './oauth';

/**
 * What adding (or re-checking) an account takes, step by step
 * (upstream-protocol §3, §4): a token, the email, the Cloud Code project
 * (onboarding when there is none), and a first quota fetch. Each failure names
 * its step.
 */

export type SetupStep = 'token refresh' | 'email lookup' | 'project discovery' | 'onboarding' | 'quota fetch';

export class AccountSetupError extends Error {
  constructor(
    readonly step: SetupStep,
    cause: unknown,
  ) {
    super(`${step} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'AccountSetupError';
  }
}

export interface VerifiedAccount {
  email: string;
  projectId: string;
  tier?: string;
  quota: ModelQuotaSnapshot;
  refreshToken: string;
  tokens: OAuthTokens;
}

export interface SetupInput {
  refreshToken: string;
  /** Tokens the caller already holds (a fresh sign-in); skips the refresh step. */
  tokens?: OAuthTokens;
  /** The email the caller means to add: a token of another account is refused rather than added. */
  expectedEmail?: string;
}

/** Onboarding asks for the default allowed tier, or the free tier (upstream-protocol §3). */
const FALLBACK_TIER = 'free-tier';

async function step<T>(name: SetupStep, signal: AbortSignal | undefined, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    throw new AccountSetupError(name, err);
  }
}

export async function verifyAccount(deps: { oauth: OAuthClient; api: AccountApi }, input: SetupInput, signal?: AbortSignal): Promise<VerifiedAccount> {
  const { oauth, api } = deps;
  const tokens = input.tokens ?? (await step('token refresh', signal, () => oauth.refresh(input.refreshToken, signal)));
  const refreshToken = tokens.refreshToken ?? input.refreshToken;
  const email = await step('email lookup', signal, async () => {
    const found = await oauth.userEmail(tokens.accessToken, signal);
    if (input.expectedEmail && found.toLowerCase() !== input.expectedEmail.trim().toLowerCase()) {
      throw new Error(`the refresh token belongs to ${found}, not ${input.expectedEmail.trim()}`);
    }
    return found;
  });
  const info = await step('project discovery', signal, () => api.loadCodeAssist(tokens.accessToken, signal));
  let projectId = info.projectId;
  if (!projectId) {
    const tierId = info.allowedTiers.find((t) => t.isDefault)?.id ?? FALLBACK_TIER;
    projectId = await step('onboarding', signal, () => api.onboardUser(tokens.accessToken, tierId, signal));
  }
  const project = projectId;
  const quota = await step('quota fetch', signal, () => api.fetchAvailableModels(tokens.accessToken, project, signal));
  const verified: VerifiedAccount = { email, projectId: project, quota, refreshToken, tokens };
  const tier = info.paidTier ?? info.currentTier;
  if (tier) verified.tier = tier;
  return verified;
}
