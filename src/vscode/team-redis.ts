import * as vscode from 'vscode';
import type { GatewayService } from './gateway-service';

/** Where the team's Redis URL (it may carry a password) and team secret are kept: SecretStorage only. */
export const TEAM_REDIS_SECRET = 'agate.team.redis';

interface TeamRedis {
  url: string;
  secretKey: string;
  keyPrefix?: string;
}

/** Arguments the tests pass instead of answering the prompts. */
export type JoinTeamArgs = Partial<TeamRedis>;

const REDIS_URL = /^rediss?:\/\/\S+$/;

/**
 * The team's Redis as this editor's gateway joins it (`store.redis.*` of the core's configuration): held in
 * SecretStorage rather than settings, because the URL may carry a password and the team secret decrypts the
 * team's refresh tokens. Read once at activation and after a change, so that the settings → configuration
 * step stays synchronous.
 */
export class TeamRedisSecrets {
  private current: TeamRedis | undefined;

  constructor(private readonly secrets: vscode.SecretStorage) {}

  async load(): Promise<void> {
    const stored = await this.secrets.get(TEAM_REDIS_SECRET);
    try {
      const parsed = stored ? (JSON.parse(stored) as TeamRedis) : undefined;
      this.current = parsed && typeof parsed.url === 'string' && typeof parsed.secretKey === 'string' ? parsed : undefined;
    } catch {
      this.current = undefined;
    }
  }

  get joined(): boolean {
    return this.current !== undefined;
  }

  /** The core's configuration values, by dotted key; empty when this editor has not joined a team. */
  configValues(): Record<string, unknown> {
    const team = this.current;
    if (!team) return {};
    return { 'store.redis.url': team.url, 'store.redis.secretKey': team.secretKey, ...(team.keyPrefix && { 'store.redis.keyPrefix': team.keyPrefix }) };
  }

  async store(team: TeamRedis | undefined): Promise<void> {
    if (team) await this.secrets.store(TEAM_REDIS_SECRET, JSON.stringify(team));
    else await this.secrets.delete(TEAM_REDIS_SECRET);
    await this.load();
  }
}

/**
 * "Agate: Join a Team (Redis)…": asks for the team's Redis URL and team secret, keeps them in SecretStorage and
 * rebuilds this editor's gateway on them (team mode: the pool, limits and caches shared with the team's other
 * gateways). Resolves true when the rebuilt gateway reaches the team's Redis.
 */
export async function joinTeamRedis(service: GatewayService, team: TeamRedisSecrets, args: JoinTeamArgs = {}): Promise<boolean> {
  const url =
    args.url ??
    (await vscode.window.showInputBox({
      title: vscode.l10n.t('Join a Team (1/2)'),
      prompt: vscode.l10n.t("The address of the team's Redis (kept in the editor's secret storage: it may hold a password)"),
      placeHolder: 'rediss://user:password@redis.example.com:6380',
      password: true,
      ignoreFocusOut: true,
      validateInput: (text) => (REDIS_URL.test(text.trim()) ? undefined : vscode.l10n.t('A redis:// or rediss:// address')),
    }));
  if (url === undefined) return false;
  if (!REDIS_URL.test(url.trim())) {
    void vscode.window.showErrorMessage(vscode.l10n.t('This is not a redis:// or rediss:// address.'));
    return false;
  }
  const secretKey =
    args.secretKey ??
    (await vscode.window.showInputBox({
      title: vscode.l10n.t('Join a Team (2/2)'),
      prompt: vscode.l10n.t('The team secret (the same on every gateway of the team: it encrypts the refresh tokens in Redis)'),
      password: true,
      ignoreFocusOut: true,
      validateInput: (text) => (text.trim() ? undefined : vscode.l10n.t('The team secret cannot be empty')),
    }));
  if (secretKey === undefined) return false;
  await team.store({ url: url.trim(), secretKey: secretKey.trim(), ...(args.keyPrefix && { keyPrefix: args.keyPrefix }) });
  await service.settingsChanged();
  const core = await service.core().catch(() => undefined);
  const health = core?.team?.health();
  if (!health?.connected) {
    void vscode.window.showWarningMessage(
      vscode.l10n.t(
        'Agate joined the team, but does not reach its Redis ({0}) yet: it serves from its own state meanwhile. See the logs.',
        health?.redis ?? vscode.l10n.t('not assembled'),
      ),
    );
    return false;
  }
  void vscode.window.showInformationMessage(vscode.l10n.t('Agate now shares its pool with the team through {0}.', health.redis));
  return true;
}

/** "Agate: Leave the Team": forgets the Redis URL and secret; the gateway is rebuilt on its own data dir. */
export async function leaveTeamRedis(service: GatewayService, team: TeamRedisSecrets): Promise<void> {
  await team.store(undefined);
  await service.settingsChanged();
  void vscode.window.showInformationMessage(vscode.l10n.t('Agate has left the team: its gateway runs on its own again.'));
}
