/**
 * API keys the simulated paid providers accept. A key belongs to one provider
 * kind; a key of another kind, an unknown key or a revoked one is refused with
 * that provider's own authentication error.
 */
import type { ProviderKeyInfo, ProviderKeySpec, ProviderKind } from '../types';

export const PROVIDER_KINDS: readonly ProviderKind[] = ['anthropic', 'gemini-api', 'openai'];

interface SimKey {
  kind: ProviderKind;
  key: string;
  name: string;
  revoked: boolean;
}

export class ProviderKeyBook {
  private readonly keys = new Map<string, SimKey>();

  add(spec: ProviderKeySpec): ProviderKeyInfo {
    const entry: SimKey = { kind: spec.provider, key: spec.key, name: spec.name ?? redactKey(spec.key), revoked: false };
    this.keys.set(spec.key, entry);
    return info(entry);
  }

  revoke(key: string): void {
    const entry = this.keys.get(key);
    if (!entry) throw new Error(`no simulated provider key ${redactKey(key)}`);
    entry.revoked = true;
  }

  list(): ProviderKeyInfo[] {
    return [...this.keys.values()].map(info);
  }

  /** The key's log name when it is live and of this kind. */
  authenticate(kind: ProviderKind, key: string): string | undefined {
    const entry = this.keys.get(key);
    return entry && entry.kind === kind && !entry.revoked ? entry.name : undefined;
  }
}

function info(entry: SimKey): ProviderKeyInfo {
  return { provider: entry.kind, name: entry.name, revoked: entry.revoked };
}

/** How providers echo a key in errors: the first few and last four characters. */
export function redactKey(key: string): string {
  return key.length <= 10 ? '****' : `${key.slice(0, 6)}…${key.slice(-4)}`;
}
