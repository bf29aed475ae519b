import * as vscode from 'vscode';
import { BUILD_TIME_KEYS, LISTEN_KEYS, type Agate } from '../core/agate';
import type { GatewayConfig } from '../core/config/types';
import type { Logger } from '../core/ports';

export type GatewayState =
  | { kind: 'stopped' }
  | { kind: 'starting' }
  | { kind: 'running'; url: string; host: string; port: number }
  /** `error` is a PortInUseError, an UnsafeListenError, a SettingsError or whatever else stopped the start. */
  | { kind: 'failed'; error: Error };

export interface GatewayServiceOptions {
  /** Assembles the core; `config` returns the live configuration on every call. */
  build(config: () => GatewayConfig): Promise<Agate>;
  /** The configuration from the current settings; throws (SettingsError) when a setting is invalid. */
  readConfig(): GatewayConfig;
  logger: Logger;
}


function differs(a: GatewayConfig, b: GatewayConfig, keys: ReadonlyArray<keyof GatewayConfig>): boolean {
  return keys.some((key) => JSON.stringify(a[key]) !== JSON.stringify(b[key]));
}

const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

/**
 * Owns the gateway of this window: builds the core, starts and stops its server, and applies settings changes
 * (live, by a restart when the listen address changes, or by a rebuild). Operations run one at a time in the
 * order they were asked for, so a settings change during a start waits for that start.
 */
export class GatewayService implements vscode.Disposable {
  private config: GatewayConfig | undefined;
  private configError: Error | undefined;
  private agate: Promise<Agate> | undefined;
  /** Whether the user wants the server running (autoStart or Start); a failed start keeps wanting it. */
  private wanted = false;
  private current: GatewayState = { kind: 'stopped' };
  private queue: Promise<unknown> = Promise.resolve();
  private readonly stateEmitter = new vscode.EventEmitter<GatewayState>();
  private readonly coreEmitter = new vscode.EventEmitter<Agate>();
  private readonly settingsErrorEmitter = new vscode.EventEmitter<Error>();

  readonly onDidChangeState = this.stateEmitter.event;
  /** Fires when a core is assembled (at first use and after a rebuild): listeners subscribe to its pool. */
  readonly onDidBuildCore = this.coreEmitter.event;
  /** Fires when changed settings are invalid; the gateway keeps its previous configuration. */
  readonly onDidRejectSettings = this.settingsErrorEmitter.event;

  constructor(private readonly options: GatewayServiceOptions) {
    this.readSettings();
  }

  get state(): GatewayState {
    return this.current;
  }

  /** The configuration in force, if the settings are valid. */
  get configuration(): GatewayConfig | undefined {
    return this.config;
  }

  /** Where clients reach the gateway: the running server's URL, else the one the settings will give it. */
  baseUrl(): string | undefined {
    if (this.current.kind === 'running') return this.current.url;
    if (!this.config) return undefined;
    const { host, port } = this.config;
    const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    return `http://${reachable}:${port}`;
  }

  /** The assembled core, built on first use; rejects with the settings error while the settings are invalid. */
  core(): Promise<Agate> {
    if (!this.agate) {
      const config = this.config;
      if (!config) return Promise.reject(this.configError);
      const building = this.options.build(() => this.config ?? config);
      this.agate = building;
      building.then(
        (agate) => this.coreEmitter.fire(agate),
        (err: unknown) => {
          if (this.agate === building) this.agate = undefined; // the next call tries again
          this.options.logger.error('cannot assemble the gateway', { error: asError(err).message });
        },
      );
    }
    return this.agate;
  }

  start(): Promise<GatewayState> {
    this.wanted = true;
    return this.serially(() => this.startNow());
  }

  stop(): Promise<GatewayState> {
    this.wanted = false;
    return this.serially(() => this.stopNow());
  }

  toggle(): Promise<GatewayState> {
    return this.current.kind === 'running' || this.current.kind === 'starting' ? this.stop() : this.start();
  }

  /** Re-reads the settings and applies what changed. */
  settingsChanged(): Promise<GatewayState> {
    return this.serially(() => this.apply());
  }

  /** Resolves once every operation asked for so far has run. */
  settled(): Promise<void> {
    return this.serially(async () => undefined);
  }

  /** Stops the server (releasing the port) and releases the core. */
  async dispose(): Promise<void> {
    this.wanted = false;
    await this.serially(async () => {
      await this.release();
      this.setState({ kind: 'stopped' });
    });
    this.stateEmitter.dispose();
    this.coreEmitter.dispose();
    this.settingsErrorEmitter.dispose();
  }

  private serially<T>(operation: () => Promise<T>): Promise<T> {
    const next = this.queue.then(operation, operation);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private readSettings(): boolean {
    try {
      this.config = this.options.readConfig();
      this.configError = undefined;
      return true;
    } catch (err) {
      this.configError = asError(err);
      this.options.logger.error('invalid settings', { error: this.configError.message });
      return false;
    }
  }

  private setState(state: GatewayState): GatewayState {
    this.current = state;
    this.stateEmitter.fire(state);
    return state;
  }

  private async startNow(): Promise<GatewayState> {
    if (this.current.kind === 'running') return this.current;
    this.setState({ kind: 'starting' });
    try {
      const listening = await (await this.core()).start();
      return this.setState({ kind: 'running', url: listening.url, host: listening.host, port: listening.port });
    } catch (err) {
      const error = asError(err);
      this.options.logger.warn('the gateway did not start', { error: error.message });
      return this.setState({ kind: 'failed', error });
    }
  }

  private async stopNow(): Promise<GatewayState> {
    if (this.agate) await (await this.agate.catch(() => undefined))?.stop();
    return this.setState({ kind: 'stopped' });
  }

  private async release(): Promise<void> {
    const building = this.agate;
    this.agate = undefined;
    if (building) await (await building.catch(() => undefined))?.close();
  }

  private async apply(): Promise<GatewayState> {
    const previous = this.config;
    if (!this.readSettings()) {
      // Keep serving with the last valid configuration.
      this.config = previous;
      this.settingsErrorEmitter.fire(this.configError!);
      return this.current;
    }
    const next = this.config!;
    if (previous && this.agate && differs(previous, next, BUILD_TIME_KEYS)) {
      this.options.logger.info('settings changed: rebuilding the gateway');
      await this.release();
      this.setState({ kind: 'stopped' });
      if (this.wanted) return this.startNow();
      await this.core();
      return this.current;
    }
    const listenChanged = !previous || differs(previous, next, LISTEN_KEYS);
    if (listenChanged && this.wanted) {
      this.options.logger.info('settings changed: restarting the server', { host: next.host, port: next.port });
      await this.stopNow();
      return this.startNow();
    }
    return this.current;
  }
}
