import { LRUCache } from 'lru-cache';
import { availability, planOf, planRank, type Availability } from '../accounts/account-state';
import type { AccountRecord } from '../accounts/types';
import type { SchedulingMode } from '../config/types';
import type { SharedCache } from '../stores/shared-cache';

/**
 * Which account serves a request for one model (upstream-protocol §8 modes):
 * - cache-first: a conversation sticks to its account; when that account
 *   cools down for at most `stickyWaitMs`, wait for it rather than lose the
 *   upstream prompt cache.
 * - balance: stick, but move at once when the account is limited.
 * - performance-first: no stickiness; least in-flight, then round-robin.
 * Never an account whose quota for the model is spent. Otherwise prefer a
 * higher tier (Ultra > Pro > Free), then the user's priority, then more
 * remaining quota, then the account used least recently.
 */

type Account = Readonly<AccountRecord>;

export interface SelectInput {
  model: string;
  conversation?: string;
  mode: SchedulingMode;
  stickyWaitMs: number;
  /** Accounts this request already gave up on for this model. */
  exclude?: ReadonlySet<string>;
  now: number;
}

export interface UnavailableAccount {
  email: string;
  reason: Exclude<Availability, { usable: true }>['reason'];
  detail?: string;
}

export type Selection =
  /** Usable accounts, best first; the caller takes the first with a free slot. */
  | { kind: 'candidates'; accounts: Account[] }
  /** cache-first: the conversation's account is back at `until`; wait for it. */
  | { kind: 'wait'; account: Account; until: number }
  /** Every account is limited for the model; the first comes back at `until`. */
  | { kind: 'limited'; until: number }
  /** No account can serve the model in the foreseeable future. */
  | { kind: 'unavailable'; accounts: UnavailableAccount[] };

export interface AccountSelector {
  select(accounts: ReadonlyArray<Account>, input: SelectInput): Selection;
  /** The conversation now lives on this account. */
  bind(conversation: string, account: Pick<AccountRecord, 'id' | 'email'>): void;
  /**
   * Team mode: reads the conversation's binding from the shared cache (one round trip), since its last turn
   * may have been served by another instance; `select` stays synchronous. A miss keeps the local binding.
   */
  refresh(conversation: string): Promise<void>;
  /** For round-robin and least-recently-used ordering. */
  noteUsed(accountId: string): void;
}

/** Quota compared in quarters, so that small differences leave room for round-robin. */
const quotaBucket = (fraction: number | undefined): number => (fraction === undefined ? 2 : Math.floor(fraction * 4));

/** Conversations remembered for stickiness; older ones simply start afresh. */
const MAX_BINDINGS = 10_000;
/** How long a shared binding outlives its last turn: the upstream prompt cache is cold by then anyway. */
const SHARED_BINDING_TTL_MS = 60 * 60 * 1000;

export function createAccountSelector(options: { inFlight(accountId: string): number; shared?: SharedCache }): AccountSelector {
  const bindings = new LRUCache<string, string>({ max: MAX_BINDINGS });
  const { shared } = options;
  const lastUse = new Map<string, number>();
  let useCounter = 0;
  const recency = (id: string) => lastUse.get(id) ?? 0;

  function rank(usable: Array<{ account: Account; remaining?: number }>, mode: SchedulingMode): Account[] {
    const sorted = [...usable].sort((a, b) => {
      if (mode === 'performance-first') {
        return options.inFlight(a.account.id) - options.inFlight(b.account.id) || recency(a.account.id) - recency(b.account.id);
      }
      return (
        planRank[planOf(b.account.tier)] - planRank[planOf(a.account.tier)] ||
        a.account.priority - b.account.priority ||
        quotaBucket(b.remaining) - quotaBucket(a.remaining) ||
        recency(a.account.id) - recency(b.account.id)
      );
    });
    return sorted.map((u) => u.account);
  }

  return {
    select(accounts, input) {
      const candidates = accounts.filter((a) => !input.exclude?.has(a.id));
      const usable: Array<{ account: Account; remaining?: number }> = [];
      const unavailable: UnavailableAccount[] = [];
      let earliest = Infinity;
      for (const account of candidates) {
        const state = availability(account, input.model, input.now);
        if (state.usable) {
          usable.push({ account, remaining: state.remainingFraction });
          continue;
        }
        if (state.until !== undefined) earliest = Math.min(earliest, state.until);
        else unavailable.push({ email: account.email, reason: state.reason, detail: state.detail });
      }

      const boundId = input.conversation && input.mode !== 'performance-first' ? bindings.get(input.conversation) : undefined;
      // A binding read from the team names the account by email: its id differs on an instance that added it itself.
      const bound = boundId === undefined ? undefined : candidates.find((a) => a.id === boundId || a.email === boundId);
      const ranked = rank(usable, input.mode);
      if (bound) {
        if (ranked.includes(bound)) return { kind: 'candidates', accounts: [bound, ...ranked.filter((a) => a !== bound)] };
        const state = availability(bound, input.model, input.now);
        if (input.mode === 'cache-first' && !state.usable && state.until !== undefined && state.until - input.now <= input.stickyWaitMs) {
          return { kind: 'wait', account: bound, until: state.until };
        }
      }
      if (ranked.length > 0) return { kind: 'candidates', accounts: ranked };
      if (earliest < Infinity) return { kind: 'limited', until: earliest };
      return { kind: 'unavailable', accounts: unavailable };
    },

    bind(conversation, account) {
      // Rewritten on every turn: the other instances follow a move, and the expiry restarts.
      shared?.set(`bind:${conversation}`, account.email, SHARED_BINDING_TTL_MS);
      bindings.set(conversation, account.id);
    },

    async refresh(conversation) {
      if (!shared) return;
      const [email] = await shared.getMany([`bind:${conversation}`]);
      if (email !== undefined) bindings.set(conversation, email);
    },

    noteUsed(accountId) {
      lastUse.set(accountId, ++useCounter);
    },
  };
}
