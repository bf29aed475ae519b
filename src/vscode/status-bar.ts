import * as vscode from 'vscode';
import type { AdminAccount } from '../core/admin/types';
import { COMMANDS } from './command-ids';
import type { GatewayService, GatewayState } from './gateway-service';
import { describeAccount, escapeMarkdown, headlineQuota, percent, quotaTable } from './quota-summary';

/** What the status bar item shows, readable by tests through the extension's API. */
export interface StatusBarView {
  readonly text: string;
  /** The tooltip's Markdown source. */
  readonly tooltip: string;
  /** True when the item has the warning background: no account can serve a request. */
  readonly warning: boolean;
}

const STATE_ICONS: Record<GatewayState['kind'], string> = {
  running: '$(radio-tower)',
  starting: '$(loading~spin)',
  stopped: '$(circle-slash)',
  failed: '$(error)',
};

/** The commands the tooltip links to; only these run from it. */
const TOOLTIP_COMMANDS = [COMMANDS.toggle, COMMANDS.openDashboard, COMMANDS.manageAccounts, COMMANDS.addAccountGoogle, COMMANDS.showLogs];

function stateLine(state: GatewayState): string {
  switch (state.kind) {
    case 'running':
      return `running at \`${state.url}\`${state.owner ? ' (in another window)' : ''}`;
    case 'starting':
      return 'starting…';
    case 'stopped':
      return state.owner ? 'stopped (in another window)' : 'stopped';
    case 'failed':
      return `not running: ${escapeMarkdown(state.error.message)}`;
  }
}

/**
 * The one "Agate" status bar item: gateway state and the quota left on the model the user cares about, a
 * Markdown tooltip with every account's quota, and a click that opens the Agate menu. It re-renders on gateway
 * state changes and on account changes (added, updated — quota included — or removed), whether this window's core
 * or the owning window's event stream reports them; nothing polls.
 */
export class StatusBar implements vscode.Disposable, StatusBarView {
  private readonly item = vscode.window.createStatusBarItem('agate.status', vscode.StatusBarAlignment.Right, 100);
  private readonly subscriptions: vscode.Disposable[] = [];
  private view: StatusBarView = { text: '', tooltip: '', warning: false };

  constructor(
    private readonly service: GatewayService,
    private readonly preferredModel: () => string,
  ) {
    this.item.name = 'Agate';
    this.item.command = COMMANDS.showMenu;
    this.subscriptions.push(
      service.onDidChangeState(() => this.render()),
      service.onDidChangeAccounts(() => this.render()),
    );
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

  render(): void {
    const state = this.service.state;
    const accounts = this.service.accounts();
    const headline = headlineQuota(accounts, this.preferredModel());
    const text = `${STATE_ICONS[state.kind]} Agate${state.kind === 'running' && headline ? ` ${percent(headline.fraction)}` : ''}`;
    const warning = !accounts.some((account) => account.usable);
    const tooltip = this.tooltipMarkdown(state, accounts, headline);

    this.view = { text, tooltip, warning };
    this.item.text = text;
    this.item.backgroundColor = warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    const markdown = new vscode.MarkdownString(tooltip, true);
    markdown.isTrusted = { enabledCommands: TOOLTIP_COMMANDS };
    this.item.tooltip = markdown;
    this.item.accessibilityInformation = {
      label: `Agate gateway ${state.kind}${headline ? `, ${percent(headline.fraction)} of ${headline.model} quota left` : ''}`,
    };
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.item.dispose();
  }

  private tooltipMarkdown(state: GatewayState, accounts: readonly AdminAccount[], headline: ReturnType<typeof headlineQuota>): string {
    const now = Date.now();
    const lines = [`**Agate** — ${stateLine(state)}`];
    if (headline) lines.push('', `${percent(headline.fraction)} left on ${escapeMarkdown(headline.model)} (the best account)`);
    if (accounts.length === 0) {
      lines.push('', `No accounts yet. [Add one with Google](command:${COMMANDS.addAccountGoogle})`);
    }
    for (const account of accounts) {
      lines.push('', '---', '', `**${escapeMarkdown(account.email)}** · ${describeAccount(account)}`, '', quotaTable(account, now));
    }
    const toggle = state.kind === 'running' || state.kind === 'starting' ? 'Stop' : 'Start';
    lines.push(
      '',
      '---',
      '',
      `[${toggle}](command:${COMMANDS.toggle}) · [Dashboard](command:${COMMANDS.openDashboard}) · ` +
        `[Accounts](command:${COMMANDS.manageAccounts}) · [Logs](command:${COMMANDS.showLogs})`,
    );
    return lines.join('\n');
  }
}
