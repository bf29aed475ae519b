import * as vscode from 'vscode';
import type { AdminAccount } from '../core/admin/types';
import { COMMANDS } from './command-ids';
import { errorText } from './core-messages';
import type { GatewayService, GatewayState } from './gateway-service';
import { Disposable } from './lifecycle';
import { statusBarContentKey } from './status-bar-content';
import { describeAccount, escapeMarkdown, headlineQuota, percent, poolHeadline, poolQuotaTable, quotaTable } from './quota-summary';
import type { RemoteGateway, RemoteGatewayState } from './remote-gateway';

/** What the status bar item shows, readable by tests through the extension's API. */
export interface StatusBarView {
  readonly text: string;
  /** The tooltip's Markdown source. */
  readonly tooltip: string;
  /** True when the item has the warning background: no account can serve a request. */
  readonly warning: boolean;
  /** Fires after each render (the item rewritten); tests count renders with it. */
  readonly onDidRender: vscode.Event<void>;
}

const STATE_ICONS: Record<GatewayState['kind'], string> = {
  running: '$(radio-tower)',
  starting: '$(loading~spin)',
  stopped: '$(circle-slash)',
  failed: '$(error)',
};

/** The commands the tooltip links to; only these run from it. */
const TOOLTIP_COMMANDS = [
  COMMANDS.toggle,
  COMMANDS.openDashboard,
  COMMANDS.manageAccounts,
  COMMANDS.addAccountGoogle,
  COMMANDS.showLogs,
  COMMANDS.stopUsingTeamGateway,
];

/** The state in a word, for screen readers. */
function stateName(state: GatewayState): string {
  switch (state.kind) {
    case 'running':
      return vscode.l10n.t('running');
    case 'starting':
      return vscode.l10n.t('starting');
    case 'stopped':
      return vscode.l10n.t('stopped');
    case 'failed':
      return vscode.l10n.t('failed');
  }
}

function stateLine(state: GatewayState): string {
  switch (state.kind) {
    case 'running':
      return state.owner ? vscode.l10n.t('running at `{0}` (in another window)', state.url) : vscode.l10n.t('running at `{0}`', state.url);
    case 'starting':
      return vscode.l10n.t('starting…');
    case 'stopped':
      return state.owner ? vscode.l10n.t('stopped (in another window)') : vscode.l10n.t('stopped');
    case 'failed':
      return vscode.l10n.t('not running: {0}', escapeMarkdown(errorText(state.error)));
  }
}

/**
 * The one "Agate" status bar item: gateway state and the quota left on the model the user cares about, a
 * Markdown tooltip with every account's quota, and a click that opens the Agate menu. It looks again on gateway
 * state changes and on account changes (added, updated or removed), whether this window's core or the owning
 * window's event stream reports them, and re-renders only when what it shows changed (`statusBarContentKey`):
 * a request that leaves quota and account state as they were rewrites nothing. Nothing polls here. With a team
 * gateway in use (`agate.remoteGateway`) it shows that gateway instead: its state and its pool's quota, as
 * RemoteGateway polls them.
 */
export class StatusBar extends Disposable implements StatusBarView {
  private readonly item = this.register(vscode.window.createStatusBarItem('agate.status', vscode.StatusBarAlignment.Right, 100));
  private readonly renderEmitter = this.register(new vscode.EventEmitter<void>());
  readonly onDidRender = this.renderEmitter.event;
  private view: Pick<StatusBarView, 'text' | 'tooltip' | 'warning'> = { text: '', tooltip: '', warning: false };
  /** What the last render showed; undefined before the first. */
  private shownKey: string | undefined;

  constructor(
    private readonly service: GatewayService,
    private readonly preferredModel: () => string,
    private readonly remote: RemoteGateway,
  ) {
    super();
    this.item.name = 'Agate';
    this.item.command = COMMANDS.showMenu;
    this.register(service.onDidChangeState(() => this.render()));
    this.register(service.onDidChangeAccounts(() => this.render()));
    this.register(remote.onDidChange(() => this.render()));
    this.render();
    this.item.show();
  }

  get text(): string {
    return this.view.text;
  }

  get tooltip(): string {
    return this.view.tooltip;
  }

  get warning(): boolean {
    return this.view.warning;
  }

  /** Shows the current state and quota, unless the item shows them already. */
  render(): void {
    if (this.isDisposed) return;
    const state = this.service.state;
    const accounts = this.service.accounts();
    const preferredModel = this.preferredModel();
    const remote = this.remote.state;
    const key = statusBarContentKey(state, accounts, preferredModel, remote);
    if (key === this.shownKey) return;
    this.shownKey = key;
    if (remote.kind !== 'off') {
      this.show(remoteView(remote, preferredModel));
      return;
    }
    const headline = headlineQuota(accounts, preferredModel);
    const text = `${STATE_ICONS[state.kind]} Agate${state.kind === 'running' && headline ? ` ${percent(headline.fraction)}` : ''}`;
    const warning = !accounts.some((account) => account.usable);
    const tooltip = this.tooltipMarkdown(state, accounts, headline);
    const label = headline
      ? vscode.l10n.t('Agate gateway {0}, {1} of {2} quota left', stateName(state), percent(headline.fraction), headline.model)
      : vscode.l10n.t('Agate gateway {0}', stateName(state));
    this.show({ text, tooltip, warning, label });
  }

  private show({ text, tooltip, warning, label }: ItemView): void {
    this.view = { text, tooltip, warning };
    this.item.text = text;
    this.item.backgroundColor = warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    const markdown = new vscode.MarkdownString(tooltip, true);
    markdown.isTrusted = { enabledCommands: TOOLTIP_COMMANDS };
    this.item.tooltip = markdown;
    this.item.accessibilityInformation = { label };
    this.renderEmitter.fire();
  }

  private tooltipMarkdown(state: GatewayState, accounts: readonly AdminAccount[], headline: ReturnType<typeof headlineQuota>): string {
    const now = Date.now();
    const lines = [`**Agate** — ${stateLine(state)}`];
    if (headline) lines.push('', vscode.l10n.t('{0} left on {1} (the best account)', percent(headline.fraction), escapeMarkdown(headline.model)));
    if (accounts.length === 0) {
      lines.push('', vscode.l10n.t('No accounts yet. [Add one with Google]({0})', `command:${COMMANDS.addAccountGoogle}`));
    }
    for (const account of accounts) {
      lines.push('', '---', '', `**${escapeMarkdown(account.email)}** · ${describeAccount(account)}`, '', quotaTable(account, now));
    }
    const toggle = state.kind === 'running' || state.kind === 'starting' ? vscode.l10n.t('Stop') : vscode.l10n.t('Start');
    lines.push(
      '',
      '---',
      '',
      `[${toggle}](command:${COMMANDS.toggle}) · [${vscode.l10n.t('Dashboard')}](command:${COMMANDS.openDashboard}) · ` +
        `[${vscode.l10n.t('Accounts')}](command:${COMMANDS.manageAccounts}) · [${vscode.l10n.t('Logs')}](command:${COMMANDS.showLogs})`,
    );
    return lines.join('\n');
  }
}

interface ItemView {
  text: string;
  tooltip: string;
  warning: boolean;
  /** For screen readers. */
  label: string;
}

/** The item while a team gateway is in use: its state, the quota left on the chosen model across its pool. */
function remoteView(remote: Exclude<RemoteGatewayState, { kind: 'off' }>, preferredModel: string): ItemView {
  // In a code span, where Markdown escapes would show: only a backtick could end it early.
  const url = remote.url.replace(/`/g, '');
  const footer = `[${vscode.l10n.t('Stop Using the Team Gateway')}](command:${COMMANDS.stopUsingTeamGateway}) · [${vscode.l10n.t('Logs')}](command:${COMMANDS.showLogs})`;
  switch (remote.kind) {
    case 'checking':
      return {
        text: '$(loading~spin) Agate',
        tooltip: [`**Agate** — ${vscode.l10n.t('team gateway `{0}`: checking…', url)}`, '', '---', '', footer].join('\n'),
        warning: false,
        label: vscode.l10n.t('Agate team gateway: checking'),
      };
    case 'unreachable':
      return {
        text: '$(error) Agate',
        tooltip: [`**Agate** — ${vscode.l10n.t('team gateway `{0}` unreachable: {1}', url, escapeMarkdown(remote.reason))}`, '', '---', '', footer].join('\n'),
        warning: true,
        label: vscode.l10n.t('Agate team gateway unreachable'),
      };
    case 'reachable': {
      const { quota } = remote;
      const headline = poolHeadline(quota, preferredModel);
      const lines = [`**Agate** — ${vscode.l10n.t('using the team gateway `{0}`', url)}`, ''];
      if (headline) lines.push(vscode.l10n.t('{0} left on {1} (the best account of the team)', percent(headline.fraction), escapeMarkdown(headline.model)), '');
      lines.push(
        vscode.l10n.t('{0} of {1} accounts usable', quota.accounts.usable, quota.accounts.total),
        '',
        poolQuotaTable(quota, Date.now()),
        '',
        '---',
        '',
        footer,
      );
      return {
        text: `$(cloud) Agate${headline ? ` ${percent(headline.fraction)}` : ''}`,
        tooltip: lines.join('\n'),
        warning: quota.accounts.usable === 0,
        label: headline
          ? vscode.l10n.t('Agate team gateway, {0} of {1} quota left', percent(headline.fraction), headline.model)
          : vscode.l10n.t('Agate team gateway, reachable'),
      };
    }
  }
}
