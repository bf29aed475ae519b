import * as vscode from 'vscode';
import { CLAUDE_CODE_VARIABLES, claudeCodeEnvironment, findOnPath } from './claude-env';
import { errorText } from './core-messages';
import type { GatewayService } from './gateway-service';
import type { ClientTarget, RemoteGateway } from './remote-gateway';
import type { HostSettings } from './settings';

const TERMINAL_NAME = 'Claude Code (Agate)';
const bold = (text: string) => `\x1b[1m${text}\x1b[0m`;
const installHint = (): string =>
  vscode.l10n.t(
    'Claude Code is not on PATH. Install it with {0}, then run {1} here: this terminal already points it at Agate.',
    bold('npm install -g @anthropic-ai/claude-code'),
    bold('claude'),
  ) + '\r\n';

/**
 * Claude Code against the gateway: the "Open Claude Code Terminal" command, the terminal profile of the same
 * name, and (setting `agate.injectIntoAllTerminals`) the same variables in every new terminal.
 */
export class ClaudeTerminals {
  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly service: GatewayService,
    private readonly settings: () => HostSettings,
    private readonly remote: RemoteGateway,
  ) {
    // The injected variables hold the gateway key: VS Code must not write them to its workspace storage.
    context.environmentVariableCollection.persistent = false;
    context.environmentVariableCollection.description = vscode.l10n.t('Points Claude Code at the Agate gateway');
  }

  /**
   * Starts the gateway when needed (the terminal is useless without it) and opens a terminal with the variables;
   * with a team gateway set (`agate.remoteGateway`), points it there with the client key instead.
   */
  async open(): Promise<vscode.Terminal | undefined> {
    const options = await this.terminalOptions();
    if (!options) return undefined;
    const terminal = vscode.window.createTerminal(options);
    terminal.show();
    return terminal;
  }

  provideTerminalProfile: vscode.TerminalProfileProvider['provideTerminalProfile'] = async () => {
    const options = await this.terminalOptions();
    return options && new vscode.TerminalProfile(options);
  };

  /** Sets or clears the variables of every new terminal after a settings, key or gateway change. */
  async syncInjection(): Promise<void> {
    const collection = this.context.environmentVariableCollection;
    const state = this.service.state;
    const team = this.remote.active ? await this.remote.target() : undefined;
    const env = !this.settings().injectIntoAllTerminals
      ? undefined
      : team
        ? this.teamEnvironment(team)
        : state.kind === 'running' && !this.remote.active
          ? await this.environment(state.url)
          : undefined;
    if (!env) {
      collection.clear();
      return;
    }
    for (const name of CLAUDE_CODE_VARIABLES) {
      if (env[name] === undefined) collection.delete(name);
      else collection.replace(name, env[name]);
    }
  }

  private async environment(baseUrl: string): Promise<Record<string, string>> {
    const { key } = await (await this.service.admin()).call('primaryKey');
    return claudeCodeEnvironment(baseUrl, key, this.settings().claudeCode);
  }

  private teamEnvironment(team: ClientTarget): Record<string, string> {
    return claudeCodeEnvironment(team.baseUrl, team.key, this.settings().claudeCode);
  }

  private async terminalOptions(): Promise<vscode.TerminalOptions | undefined> {
    if (this.remote.active) {
      const team = await this.remote.target();
      if (!team) {
        void vscode.window.showErrorMessage(vscode.l10n.t('Agate has no client key for the team gateway: run "Agate: Use a Team Gateway…" again.'));
        return undefined;
      }
      return this.options(this.teamEnvironment(team));
    }
    const state = this.service.state.kind === 'running' ? this.service.state : await this.service.start();
    if (state.kind !== 'running') {
      void vscode.window.showErrorMessage(
        vscode.l10n.t('Agate is not running, so Claude Code would have nothing to talk to: {0}', state.kind === 'failed' ? errorText(state.error) : state.kind),
      );
      return undefined;
    }
    return this.options(await this.environment(state.url));
  }

  private options(env: Record<string, string>): vscode.TerminalOptions {
    const claude = findOnPath('claude');
    return {
      name: TERMINAL_NAME,
      env,
      iconPath: new vscode.ThemeIcon('radio-tower'),
      // `claude` itself as the terminal's process when installed; otherwise the user's shell with the how-to.
      ...(claude ? { shellPath: claude } : { message: installHint() }),
    };
  }
}
