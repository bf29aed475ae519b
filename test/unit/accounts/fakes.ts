import type { OAuthClient, OAuthTokens } from '../../../src/core/accounts/oauth';
import type { Clock, DocumentStore, SecretStore } from '../../../src/core/ports';
import { UpstreamFailure } from '../../../src/core/upstream/failure';
import type { AccountApi, CodeAssistInfo, ModelInfo, ModelQuotaSnapshot } from '../../../src/core/upstream/upstream';

/** Lets pending promise callbacks and immediates run. */
export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface Timer {
  at: number;
  seq: number;
  fire(): void;
}

/**
 * A Clock under the test's control. Manual: time moves only with advance().
 * Auto: every sleep ends on the next turn of the event loop, with the clock
 * jumped to its end, so retry waits cost nothing yet stay observable in `sleeps`.
 */
export class FakeClock implements Clock {
  readonly sleeps: number[] = [];
  private current: number;
  private timers: Timer[] = [];
  private seq = 0;
  private readonly auto: boolean;

  constructor(options: { start?: number; auto?: boolean } = {}) {
    this.current = options.start ?? Date.UTC(2026, 3, 20, 9, 0, 0);
    this.auto = options.auto ?? false;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        this.timers = this.timers.filter((t) => t !== timer);
        reject(signal?.reason);
      };
      const timer: Timer = {
        at: this.current + Math.max(0, ms),
        seq: this.seq++,
        fire: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.timers.push(timer);
      if (this.auto) setImmediate(() => this.fireEarliest());
    });
  }

  get pendingTimers(): number {
    return this.timers.length;
  }

  private earliest(): Timer | undefined {
    return [...this.timers].sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
  }

  private fireEarliest(): void {
    const timer = this.earliest();
    if (!timer) return;
    this.timers = this.timers.filter((t) => t !== timer);
    this.current = Math.max(this.current, timer.at);
    timer.fire();
  }

  /** Moves time forward, firing due timers in order and letting their continuations run. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      await settle();
      const next = this.earliest();
      if (!next || next.at > target) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.current = next.at;
      next.fire();
    }
    this.current = target;
    await settle();
  }
}

export class MemoryDocuments implements DocumentStore {
  readonly documents = new Map<string, string>();
  writes = 0;

  async read<T>(name: string): Promise<T | undefined> {
    const text = this.documents.get(name);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }

  async write<T>(name: string, value: T): Promise<void> {
    this.writes++;
    this.documents.set(name, JSON.stringify(value));
  }
}

export class MemorySecrets implements SecretStore {
  readonly values = new Map<string, string>();

  async get(key: string): Promise<string | undefined> {
    return this.values.get(key);
  }

  async set(key: string, value: string): Promise<void> {
    this.values.set(key, value);
  }

  async delete(key: string): Promise<void> {
    this.values.delete(key);
  }
}

export interface FakeGoogleAccount {
  email: string;
  refreshToken?: string;
  /** Undefined: the account must be onboarded. */
  projectId?: string;
  currentTier?: string;
  paidTier?: string;
  allowedTiers?: CodeAssistInfo['allowedTiers'];
  models?: ModelInfo[];
  deprecated?: Record<string, string>;
}

type Method = 'refresh' | 'userEmail' | 'loadCodeAssist' | 'onboardUser' | 'fetchAvailableModels';

export const DEFAULT_MODELS = (): ModelInfo[] => [
  { id: 'claude-sonnet-4-6', remainingFraction: 1, maxOutputTokens: 64000 },
  { id: 'claude-opus-4-6-thinking', remainingFraction: 1 },
  { id: 'gemini-3-flash', remainingFraction: 1 },
  { id: 'gemini-3.1-pro-high', remainingFraction: 1 },
];

export const refreshTokenOf = (email: string): string => `1//refresh-${email}`;

/**
 * Google as the pool sees it (OAuthClient + AccountApi), in memory. Access
 * tokens embed the email (`at:<email>:<n>`) so fakes downstream can tell
 * which account a call came from.
 */
export class FakeGoogle implements OAuthClient, AccountApi {
  readonly accounts = new Map<string, FakeGoogleAccount>();
  readonly revoked = new Set<string>();
  readonly calls: Array<{ method: Method; email?: string }> = [];
  onboardedTiers: string[] = [];
  accessTokenTtlMs = 3600_000;
  private issued = 0;
  private readonly failures: Array<{ method: Method; error: Error }> = [];

  constructor(private readonly clock: Clock) {}

  add(account: FakeGoogleAccount): FakeGoogleAccount {
    const full = { refreshToken: refreshTokenOf(account.email), models: DEFAULT_MODELS(), ...account };
    this.accounts.set(full.refreshToken, full);
    return full;
  }

  /** The next call of `method` fails with `error`. */
  failNext(method: Method, error: Error): void {
    this.failures.push({ method, error });
  }

  count(method: Method): number {
    return this.calls.filter((c) => c.method === method).length;
  }

  static emailOfToken(accessToken: string): string {
    return accessToken.split(':')[1];
  }

  private enter(method: Method, email?: string): void {
    this.calls.push({ method, email });
    const at = this.failures.findIndex((f) => f.method === method);
    if (at >= 0) throw this.failures.splice(at, 1)[0].error;
  }

  private byEmail(email: string): FakeGoogleAccount {
    // The latest registration wins: a second add of an email models a changed account.
    const account = [...this.accounts.values()].reverse().find((a) => a.email === email);
    if (!account) throw new UpstreamFailure('auth_expired', 'unknown access token', { status: 401 });
    return account;
  }

  private byToken(accessToken: string): FakeGoogleAccount {
    return this.byEmail(FakeGoogle.emailOfToken(accessToken));
  }

  authorizeUrl(): string {
    throw new Error('FakeGoogle does no browser sign-in');
  }

  async exchangeCode(): Promise<OAuthTokens> {
    throw new Error('FakeGoogle does no browser sign-in');
  }

  async refresh(refreshToken: string): Promise<OAuthTokens> {
    const account = this.accounts.get(refreshToken);
    this.enter('refresh', account?.email);
    await settle(); // a real round trip: concurrent callers overlap
    if (!account || this.revoked.has(account.email)) {
      throw new UpstreamFailure('auth_revoked', 'Refreshing the access token failed (invalid_grant: Token has been expired or revoked.)', {
        status: 400,
        reason: 'invalid_grant',
      });
    }
    return { accessToken: `at:${account.email}:${++this.issued}`, expiresAt: this.clock.now() + this.accessTokenTtlMs };
  }

  async userEmail(accessToken: string): Promise<string> {
    this.enter('userEmail', FakeGoogle.emailOfToken(accessToken));
    return this.byToken(accessToken).email;
  }

  async loadCodeAssist(accessToken: string): Promise<CodeAssistInfo> {
    this.enter('loadCodeAssist', FakeGoogle.emailOfToken(accessToken));
    const account = this.byToken(accessToken);
    const info: CodeAssistInfo = { allowedTiers: account.allowedTiers ?? [{ id: 'free-tier', isDefault: true }] };
    if (account.projectId) info.projectId = account.projectId;
    if (account.currentTier) info.currentTier = account.currentTier;
    if (account.paidTier) info.paidTier = account.paidTier;
    return info;
  }

  async onboardUser(accessToken: string, tierId: string): Promise<string> {
    this.enter('onboardUser', FakeGoogle.emailOfToken(accessToken));
    const account = this.byToken(accessToken);
    this.onboardedTiers.push(tierId);
    account.projectId = `onboarded-${account.email.split('@')[0]}`;
    return account.projectId;
  }

  async fetchAvailableModels(accessToken: string, projectId: string): Promise<ModelQuotaSnapshot> {
    this.enter('fetchAvailableModels', FakeGoogle.emailOfToken(accessToken));
    const account = this.byToken(accessToken);
    if (projectId !== account.projectId) throw new UpstreamFailure('bad_request', `wrong project ${projectId}`, { status: 400 });
    return {
      models: (account.models ?? []).map((m) => ({ ...m })),
      deprecated: { ...(account.deprecated ?? {}) },
      fetchedAt: this.clock.now(),
    };
  }
}
