import { createAccountPool, type AccountPool } from '../../../src/core/accounts/pool';
import { defaultConfig } from '../../../src/core/config/defaults';
import type { GatewayConfig } from '../../../src/core/config/types';
import type { GenerationRun } from '../../../src/core/dispatch';
import type { ChatEvent, ChatRequest } from '../../../src/core/ir';
import { emptyUsage } from '../../../src/core/ir';
import { createLogger } from '../../../src/core/logging/logger';
import { createDispatcher } from '../../../src/core/scheduler/dispatcher';
import type { UpstreamFailure } from '../../../src/core/upstream/failure';
import type { Upstream, UpstreamCall } from '../../../src/core/upstream/upstream';
import { FakeClock, FakeGoogle, MemoryDocuments, MemorySecrets, refreshTokenOf, type FakeGoogleAccount } from '../accounts/fakes';

/** What the fake upstream does with one call. */
export type Outcome =
  | { kind: 'answer'; text?: string }
  | { kind: 'fail'; failure: UpstreamFailure }
  /** First event, then a failure mid-stream. */
  | { kind: 'break'; failure: UpstreamFailure }
  /** Never answers until aborted. */
  | { kind: 'hang' }
  /** Answers when the test calls `release()`. */
  | { kind: 'held' };

export const fail = (failure: UpstreamFailure): Outcome => ({ kind: 'fail', failure });

/** Cloud Code as the scheduler sees it, scripted per account email. */
export class FakeUpstream implements Upstream {
  readonly calls: Array<{ email: string; call: UpstreamCall }> = [];
  private readonly scripts = new Map<string, Outcome[]>();
  private readonly held: Array<() => void> = [];
  countResult: number | UpstreamFailure = 42;

  /** The next calls for `email` get these outcomes, then plain answers. */
  script(email: string, ...outcomes: Outcome[]): void {
    this.scripts.set(email, [...(this.scripts.get(email) ?? []), ...outcomes]);
  }

  emails(): string[] {
    return this.calls.map((c) => c.email);
  }

  hostOf(call: UpstreamCall): string | undefined {
    return this.calls.some((c) => c.call === call) ? 'https://daily.test' : undefined;
  }

  /** Lets the oldest held call answer. */
  release(): void {
    this.held.shift()?.();
  }

  get heldCount(): number {
    return this.held.length;
  }

  async *generate(_request: ChatRequest, call: UpstreamCall): AsyncGenerator<ChatEvent> {
    const email = FakeGoogle.emailOfToken(call.accessToken);
    this.calls.push({ email, call });
    const outcome = this.scripts.get(email)?.shift() ?? { kind: 'answer' };
    if (outcome.kind === 'fail') throw outcome.failure;
    if (outcome.kind === 'hang' || outcome.kind === 'held') {
      await new Promise<void>((resolve, reject) => {
        if (outcome.kind === 'held') this.held.push(resolve);
        call.signal.addEventListener('abort', () => reject(call.signal.reason), { once: true });
      });
    }
    yield { type: 'text', text: outcome.kind === 'answer' && outcome.text ? outcome.text : `hello from ${email}` };
    if (outcome.kind === 'break') throw outcome.failure;
    yield { type: 'finish', reason: 'stop', usage: emptyUsage() };
  }

  async countTokens(_request: ChatRequest, call: UpstreamCall): Promise<number> {
    this.calls.push({ email: FakeGoogle.emailOfToken(call.accessToken), call });
    if (typeof this.countResult !== 'number') throw this.countResult;
    return this.countResult;
  }
}

export function chat(text: string, options: Partial<ChatRequest> = {}): ChatRequest {
  return {
    protocol: 'anthropic',
    model: 'claude-sonnet-4-6',
    system: [],
    messages: [{ role: 'user', parts: [{ type: 'text', text }] }],
    tools: [],
    stream: true,
    ...options,
  };
}

export async function collect(run: GenerationRun): Promise<ChatEvent[]> {
  const events: ChatEvent[] = [];
  for await (const event of run.events) events.push(event);
  return events;
}

export interface HarnessOptions {
  accounts: Array<string | FakeGoogleAccount>;
  scheduling?: Partial<GatewayConfig['scheduling']>;
  models?: Partial<Pick<GatewayConfig['models'], 'aliases' | 'groups'>>;
  /** Auto: every sleep ends at once (with time jumped). Manual: the test advances time. */
  clock?: 'auto' | 'manual';
}

export interface Harness {
  clock: FakeClock;
  google: FakeGoogle;
  upstream: FakeUpstream;
  pool: AccountPool;
  settings: { scheduling: GatewayConfig['scheduling']; models: Pick<GatewayConfig['models'], 'aliases' | 'groups'> };
  dispatcher: ReturnType<typeof createDispatcher>;
  /** What the dispatcher logged (info and above), one line each. */
  logs: string[];
  idOf(email: string): string;
}

export async function harness(options: HarnessOptions): Promise<Harness> {
  const clock = new FakeClock({ auto: (options.clock ?? 'auto') === 'auto' });
  const google = new FakeGoogle(clock);
  const upstream = new FakeUpstream();
  const pool = await createAccountPool({
    documents: new MemoryDocuments(),
    secrets: new MemorySecrets(),
    oauth: google,
    api: google,
    clock,
  });
  for (const spec of options.accounts) {
    const account = google.add(typeof spec === 'string' ? { email: spec, projectId: `p-${spec}` } : { projectId: `p-${spec.email}`, ...spec });
    await pool.addByRefreshToken(account.refreshToken ?? refreshTokenOf(account.email));
  }
  google.calls.length = 0;
  const settings = {
    scheduling: { ...defaultConfig().scheduling, ...options.scheduling },
    models: { aliases: {}, groups: {}, ...options.models },
  };
  const logs: string[] = [];
  const logger = createLogger({ level: 'info', sink: (_level, line) => void logs.push(line) });
  const dispatcher = createDispatcher({ accounts: pool, upstream, settings: () => settings, clock, random: () => 0.5, logger });
  const idOf = (email: string) => {
    const account = pool.list().find((a) => a.email === email);
    if (!account) throw new Error(`no account ${email}`);
    return account.id;
  };
  return { clock, google, upstream, pool, settings, dispatcher, logs, idOf };
}
