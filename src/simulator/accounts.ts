/** The simulated Google accounts: refresh tokens, issued access tokens, project, tier, onboarding, quota. */
import { createHash, randomBytes } from 'node:crypto';
import { ModelQuota } from './quota';
import type { AccountInfo, AccountSpec } from './types';

export interface OnboardingOperation {
  name: string;
  /** Answers still to say done:false. */
  pollsLeft: number;
}

export interface SimAccount {
  readonly email: string;
  refreshToken: string;
  readonly projectId: string;
  onboarded: boolean;
  readonly tier: string;
  readonly accessTokenTtlSec: number;
  revoked: boolean;
  readonly quota: ModelQuota;
  onboarding?: OnboardingOperation;
}

interface IssuedToken {
  account: SimAccount;
  expiresAt: number;
}

const SWEEP_THRESHOLD = 1000;

function defaultProjectId(email: string): string {
  const local =
    email
      .split('@')[0]
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'user';
  return `sim-${local.slice(0, 20)}-${createHash('sha1').update(email).digest('hex').slice(0, 6)}`;
}

export class AccountRegistry {
  private readonly byEmail = new Map<string, SimAccount>();
  private readonly byRefreshToken = new Map<string, SimAccount>();
  private readonly accessTokens = new Map<string, IssuedToken>();

  constructor(private readonly now: () => number) {}

  /** Adds or replaces; a replaced account's tokens stop working. */
  add(spec: AccountSpec): SimAccount {
    const previous = this.byEmail.get(spec.email);
    if (previous) this.byRefreshToken.delete(previous.refreshToken);
    const account: SimAccount = {
      email: spec.email,
      refreshToken: spec.refreshToken,
      projectId: spec.projectId ?? defaultProjectId(spec.email),
      onboarded: spec.onboarded ?? true,
      tier: spec.tier ?? 'free-tier',
      accessTokenTtlSec: spec.accessTokenTtlSec ?? 3600,
      revoked: false,
      quota: new ModelQuota(spec.quota ?? {}, this.now),
    };
    this.byEmail.set(account.email, account);
    this.byRefreshToken.set(account.refreshToken, account);
    return account;
  }

  get(email: string): SimAccount | undefined {
    return this.byEmail.get(email);
  }

  /** The account to sign in: the hinted one, else the first. */
  pick(loginHint?: string): SimAccount | undefined {
    if (loginHint) {
      const hinted = this.byEmail.get(loginHint);
      if (hinted) return hinted;
    }
    return this.byEmail.values().next().value;
  }

  list(): SimAccount[] {
    return [...this.byEmail.values()];
  }

  require(email: string): SimAccount {
    const account = this.byEmail.get(email);
    if (!account) throw new Error(`no simulated account ${email}`);
    return account;
  }

  revoke(email: string): void {
    this.require(email).revoked = true;
  }

  /** A fresh consent: a revoked account gets a new refresh token, as Google issues one. */
  consent(account: SimAccount): string {
    if (account.revoked) {
      this.byRefreshToken.delete(account.refreshToken);
      account.refreshToken = `1//sim-${randomBytes(24).toString('base64url')}`;
      account.revoked = false;
      this.byRefreshToken.set(account.refreshToken, account);
    }
    return account.refreshToken;
  }

  /** The live account holding this refresh token; undefined when unknown or revoked (invalid_grant). */
  byRefresh(refreshToken: string): SimAccount | undefined {
    const account = this.byRefreshToken.get(refreshToken);
    return account && !account.revoked && this.byEmail.get(account.email) === account ? account : undefined;
  }

  issueAccessToken(account: SimAccount): { accessToken: string; expiresInSec: number } {
    if (this.accessTokens.size >= SWEEP_THRESHOLD) this.sweep();
    const accessToken = `ya29.sim-${randomBytes(32).toString('base64url')}`;
    this.accessTokens.set(accessToken, { account, expiresAt: this.now() + account.accessTokenTtlSec * 1000 });
    return { accessToken, expiresInSec: Math.max(1, Math.round(account.accessTokenTtlSec)) };
  }

  /** The account a bearer token belongs to, if the token is live. */
  authenticate(accessToken: string): SimAccount | undefined {
    const issued = this.accessTokens.get(accessToken);
    if (!issued) return undefined;
    const { account } = issued;
    if (issued.expiresAt <= this.now() || account.revoked || this.byEmail.get(account.email) !== account) return undefined;
    return account;
  }

  info(account: SimAccount, quotaWindowMs: number): AccountInfo {
    return {
      email: account.email,
      projectId: account.projectId,
      onboarded: account.onboarded,
      tier: account.tier,
      revoked: account.revoked,
      quota: account.quota.snapshot(quotaWindowMs),
    };
  }

  private sweep(): void {
    const now = this.now();
    for (const [token, issued] of this.accessTokens) {
      if (issued.expiresAt <= now) this.accessTokens.delete(token);
    }
  }
}
