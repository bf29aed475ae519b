import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { toAdminAccount } from '../core/admin/admin-api';
import { RemoteAdmin, type RemoteSubscription } from '../core/admin/admin-client';
import type { AdminMethod, AdminParams, AdminResult } from '../core/admin/protocol';
import type { AdminAccount, AdminEvent } from '../core/admin/types';
import { BUILD_TIME_KEYS, LISTEN_KEYS, type Agate } from '../core/agate';
import type { GatewayConfig } from '../core/config/types';
import type { Logger } from '../core/ports';
import { DataDirBusyError, DataDirLock, readOwner, type OwnerRecord } from '../core/stores/data-dir-lock';

export type GatewayState =
  /** `owner`: another window owns the gateway and has it stopped. */
  | { kind: 'stopped'; owner?: OwnerRecord }
  | { kind: 'starting' }
  /** `owner`: the gateway runs in another window, which this one talks to. */
  | { kind: 'running'; url: string; host: string; port: number; owner?: OwnerRecord }
  /** `error` is a PortInUseError, an UnsafeListenError, a SettingsError or whatever else stopped the start. */
  | { kind: 'failed'; error: Error };

/** How a window changes the gateway: its own core's admin API, or the owning window's over loopback. */
export interface GatewayAdmin {
  call<M extends AdminMethod>(method: M, params?: AdminParams<M> | Record<string, unknown>): Promise<AdminResult<M>>;
  /** The gateway's live events (monitor rows, accounts); returns the unsubscribe function. */
  subscribe(listener: (event: AdminEvent) => void): () => void;
  /** This window's own core, when this window owns the gateway. */
  readonly local: Agate | undefined;
}

export interface GatewayServiceOptions {
  /** Assembles the core; `config` returns the live configuration on every call. */
  build(config: () => GatewayConfig): Promise<Agate>;
  /** The configuration from the current settings; throws (SettingsError) when a setting is invalid. */
  readConfig(): GatewayConfig;
  logger: Logger;
  /**
   * The data dir every window of this editor shares: one window owns the gateway, the others attach to it.
   * Absent: this window always owns its gateway.
   */
  ownership?: {
    dataDir: string;
    version: string;
    /** The primary key as the owning window keeps it (shared secret storage), for its admin API when auth is on. */
    primaryKey(): Promise<string | undefined>;
  };
}

function differs(a: GatewayConfig, b: GatewayConfig, keys: ReadonlyArray<keyof GatewayConfig>): boolean {
  return keys.some((key) => JSON.stringify(a[key]) !== JSON.stringify(b[key]));
}

const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

/** An attached window asks a stopped owner to start by leaving this file in the data dir. */
export const START_REQUEST_FILE = 'agate.start-request';
/** How often a window that does not own the gateway checks the owner (a closed event stream checks at once). */
const WATCH_MS = 1_000;
/** How soon a window looks again at an owner whose event stream could not be opened (it is stopping or exiting). */
const REATTACH_MS = 200;
/** How long Start in an attached window waits for a stopped owner to start. */
const START_REQUEST_WAIT_MS = 5_000;
/** How long Stop in an attached window waits for the owner to stop (its graceful stop is bounded by server.shutdownGraceMs). */
const STOP_WAIT_MS = 15_000;

interface Attachment {
  owner: OwnerRecord & { url: string };
  admin: RemoteAdmin;
  subscription: RemoteSubscription;
}

/**
 * The gateway as this window sees it. Exactly one window (extension host) per data dir owns it — holds the
 * data dir's lock, builds the core, starts and stops its server and applies settings changes (live, by a restart
 * when the listen address changes, or by a rebuild). The other windows attach: they follow the owner's state and
 * accounts over its admin event stream and send their commands to its admin API. When the owner goes (window
 * closed or crashed) a watching window takes the lock and serves on the same port. Operations run one at a time
 * in the order they were asked for.
 *
 * One class of ~570 lines: ownership (lock, attach, take over, hand back) and the lifecycle (start, stop,
 * settings changes, rebuilds) run on one serial queue and read the same state; split, each half would need the
 * other's private state and the queue's ordering would no longer be visible in one place.
 */
export class GatewayService implements vscode.Disposable {
  private config: GatewayConfig | undefined;
  private configError: Error | undefined;
  private agate: Promise<Agate> | undefined;
  /** Whether the user wants the server running (autoStart or Start); a failed start keeps wanting it. */
  private wanted = false;
  private current: GatewayState = { kind: 'stopped' };
  private queue: Promise<unknown> = Promise.resolve();
  private lock: DataDirLock | undefined;
  private attachment: Attachment | undefined;
  private remoteAccounts: AdminAccount[] = [];
  private unfollowPool: Array<() => void> = [];
  private watchTimer: NodeJS.Timeout | undefined;
  private disposed = false;
  private readonly stateEmitter = new vscode.EventEmitter<GatewayState>();
  private readonly coreEmitter = new vscode.EventEmitter<Agate>();
  private readonly settingsErrorEmitter = new vscode.EventEmitter<Error>();
  private readonly accountsEmitter = new vscode.EventEmitter<void>();
  private readonly adminEmitter = new vscode.EventEmitter<void>();

  readonly onDidChangeState = this.stateEmitter.event;
  /** Fires when a core is assembled (at first use, after a rebuild, when this window takes the gateway over). */
  readonly onDidBuildCore = this.coreEmitter.event;
  /** Fires when changed settings are invalid; the gateway keeps its previous configuration. */
  readonly onDidRejectSettings = this.settingsErrorEmitter.event;
  /** Fires when an account is added, changed (quota included) or removed, wherever the gateway runs. */
  readonly onDidChangeAccounts = this.accountsEmitter.event;
  /** Fires when what `admin()` talks to changes (a rebuilt core, another owner, this window taking over). */
  readonly onDidChangeAdmin = this.adminEmitter.event;

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

  /** Whether this window owns the gateway (else another window does, and this one attaches to it). */
  get owns(): boolean {
    return !this.options.ownership || this.lock !== undefined;
  }

  /** Where clients reach the gateway: the running server's URL, else the one the settings will give it. */
  baseUrl(): string | undefined {
    if (this.current.kind === 'running') return this.current.url;
    if (!this.config) return undefined;
    const { host, port } = this.config;
    const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    return `http://${reachable}:${port}`;
  }

  /** The accounts, as this window's core or the owning window reports them. */
  accounts(): AdminAccount[] {
    return this.owns ? (this.builtCore?.pool.list().map(toAdminAccount) ?? []) : this.remoteAccounts;
  }

  private builtCore: Agate | undefined;

  /**
   * This window's assembled core, built on first use; rejects with the settings error while the settings are
   * invalid, and when another window owns the gateway (use `admin()`).
   */
  core(): Promise<Agate> {
    if (!this.owns) return Promise.reject(new Error('Another window owns the Agate gateway: this window talks to it through its admin API.'));
    if (!this.agate) {
      const config = this.config;
      if (!config) return Promise.reject(this.configError);
      const building = this.options.build(() => this.config ?? config);
      this.agate = building;
      building.then(
        (agate) => {
          if (this.agate !== building) return;
          this.followPool(agate);
          this.coreEmitter.fire(agate);
          this.adminEmitter.fire();
        },
        (err: unknown) => {
          if (this.agate === building) this.agate = undefined; // the next call tries again
          this.options.logger.error('cannot assemble the gateway', { error: asError(err).message });
        },
      );
    }
    return this.agate;
  }

  /** The admin API of the gateway, wherever it runs; rejects when another window owns it and has it stopped. */
  async admin(): Promise<GatewayAdmin> {
    if (this.owns) return this.adminOf(await this.core());
    const attachment = this.attachment ?? (await this.serially(() => this.follow()).then(() => this.attachment));
    if (!attachment) {
      throw new Error(vscode.l10n.t('Another window owns the Agate gateway and has it stopped: start it (Agate: Start Gateway), then try again.'));
    }
    return this.adminOf(attachment);
  }

  /** One GatewayAdmin per core or attachment, so that a holder can tell when it changed. */
  private readonly admins = new WeakMap<object, GatewayAdmin>();

  private adminOf(source: Agate | Attachment): GatewayAdmin {
    let admin = this.admins.get(source);
    if (!admin) {
      admin =
        'app' in source
          ? { local: source, call: (method, params) => source.admin.call(method, params ?? {}), subscribe: (listener) => source.admin.subscribe(listener) }
          : {
              local: undefined,
              call: (method, params) => source.admin.call(method, params ?? {}),
              subscribe: (listener) => {
                const subscription = source.admin.subscribe(listener);
                subscription.ended.catch(() => undefined);
                return () => subscription.close();
              },
            };
      this.admins.set(source, admin);
    }
    return admin;
  }

  /**
   * Takes the gateway if no window owns it, else attaches to the owner, and from then on watches for the owner
   * to go. Called once at activation.
   */
  claim(): Promise<void> {
    return this.serially(async () => {
      if (!this.options.ownership) return;
      if (!(await this.tryOwn())) await this.follow();
      this.watchTimer ??= setInterval(() => this.watch(), WATCH_MS);
    });
  }

  start(): Promise<GatewayState> {
    this.wanted = true;
    return this.serially(() => (this.owns ? this.startNow() : this.startRemote()));
  }

  stop(): Promise<GatewayState> {
    this.wanted = false;
    return this.serially(() => (this.owns ? this.stopNow() : this.stopRemote()));
  }

  toggle(): Promise<GatewayState> {
    return this.current.kind === 'running' || this.current.kind === 'starting' ? this.stop() : this.start();
  }

  /** Re-reads the settings and applies what changed (the owning window applies them to the gateway). */
  settingsChanged(): Promise<GatewayState> {
    return this.serially(() => this.apply());
  }

  /** Resolves once every operation asked for so far has run. */
  settled(): Promise<void> {
    return this.serially(async () => undefined);
  }

  /**
   * Lets the gateway go as a closing window does: stops the server (releasing the port), releases the core and
   * the data dir, and stays attached-only for `holdOffMs` so another window takes over. For the tests.
   */
  relinquish(holdOffMs: number): Promise<void> {
    return this.serially(async () => {
      await this.release();
      this.lock?.release();
      this.lock = undefined;
      this.setState({ kind: 'stopped' });
      this.holdOffUntil = Date.now() + holdOffMs;
      this.adminEmitter.fire();
    });
  }

  private holdOffUntil = 0;
  /** Another Agate (the CLI's `agate serve`, another data dir) this window uses instead of its own, by the user's choice. */
  private foreign: { owner: OwnerRecord & { url: string }; primaryKey: () => Promise<string | undefined> } | undefined;

  /**
   * Uses the gateway another Agate serves (`agate serve` on the port this window wanted) instead of its own:
   * this window gives its own data dir to the other windows and follows that gateway until it goes.
   */
  useForeign(owner: OwnerRecord & { url: string }, primaryKey: () => Promise<string | undefined>): Promise<GatewayState> {
    return this.serially(async () => {
      await this.release();
      this.lock?.release();
      this.lock = undefined;
      this.foreign = { owner, primaryKey };
      this.attach(owner);
      return this.current;
    });
  }

  /** Stops the server (releasing the port), releases the core, and gives the data dir to the next window. */
  async dispose(): Promise<void> {
    this.wanted = false;
    this.disposed = true;
    if (this.watchTimer) clearInterval(this.watchTimer);
    await this.serially(async () => {
      this.detach();
      const owned = this.lock !== undefined;
      const started = Date.now();
      await this.release();
      this.setState({ kind: 'stopped' });
      this.lock?.release();
      this.lock = undefined;
      if (owned) this.options.logger.info('gave the gateway up for another window', { ms: Date.now() - started });
    });
    this.stateEmitter.dispose();
    this.coreEmitter.dispose();
    this.settingsErrorEmitter.dispose();
    this.accountsEmitter.dispose();
    this.adminEmitter.dispose();
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
    if (this.lock) {
      // Other windows and `agate` commands find the owner's gateway in the lock.
      try {
        this.lock.publish(state.kind === 'running' && !state.owner ? { url: state.url, port: state.port } : undefined);
      } catch (err) {
        this.options.logger.warn('cannot record the gateway address in the data dir', { error: asError(err).message });
      }
    }
    if (!this.disposed) this.stateEmitter.fire(state);
    return state;
  }

  private followPool(agate: Agate): void {
    for (const off of this.unfollowPool.splice(0)) off();
    const changed = () => this.accountsEmitter.fire();
    this.builtCore = agate;
    this.unfollowPool = [agate.pool.on('added', changed), agate.pool.on('updated', changed), agate.pool.on('removed', changed)];
    changed();
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
    for (const off of this.unfollowPool.splice(0)) off();
    this.builtCore = undefined;
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
    // The owning window applies the settings (every window reads the same user settings).
    if (!this.owns) return this.current;
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

  // ---- ownership ----------------------------------------------------------------------------------------------

  /** Takes the data dir's lock if nobody holds it; true when this window owns the gateway now. */
  private async tryOwn(): Promise<boolean> {
    const ownership = this.options.ownership;
    if (!ownership || this.lock) return true;
    if (Date.now() < this.holdOffUntil || this.foreign) return false;
    try {
      this.lock = await DataDirLock.acquire(ownership.dataDir, { role: 'vscode', version: ownership.version, waitMs: 0 });
    } catch (err) {
      if (err instanceof DataDirBusyError) return false;
      this.options.logger.warn('cannot take the data dir', { error: asError(err).message });
      return false;
    }
    this.detach();
    this.remoteAccounts = [];
    this.options.logger.info('this window owns the gateway', { dataDir: ownership.dataDir });
    return true;
  }

  /** Periodic check: an owner watches for start requests, the others for the owner going or changing. */
  private watch(): void {
    if (this.disposed) return;
    if (this.owns) {
      if (this.current.kind !== 'stopped' || !this.lock) return;
      const request = path.join(this.options.ownership!.dataDir, START_REQUEST_FILE);
      if (!fs.existsSync(request)) return;
      fs.rmSync(request, { force: true });
      this.options.logger.info('another window asked to start the gateway');
      void this.start();
      return;
    }
    void this.serially(() => this.follow());
  }

  /** Attaches to the current owner, or takes over when there is none. */
  private async follow(): Promise<void> {
    if (this.disposed || this.owns) return;
    const ownership = this.options.ownership!;
    if (this.foreign) {
      const still = readOwner(this.foreign.owner.dataDir);
      if (still?.pid === this.foreign.owner.pid && still.url === this.foreign.owner.url) {
        if (!this.attachment) this.attach(this.foreign.owner);
        return;
      }
      this.options.logger.info("the other Agate this window used has stopped: back to this window's own gateway");
      this.foreign = undefined;
      this.detach();
    }
    const owner = readOwner(ownership.dataDir);
    if (!owner) {
      if (!(await this.tryOwn())) return;
      // The previous owner is gone (window closed or crashed): this window serves now, on the same settings.
      this.setState({ kind: 'stopped' });
      this.adminEmitter.fire();
      if (this.wanted) await this.startNow();
      else await this.core().catch(() => undefined);
      return;
    }
    if (owner.url && owner.port !== undefined) {
      const attached = this.attachment?.owner;
      if (!attached || attached.url !== owner.url || attached.pid !== owner.pid) this.attach(owner as OwnerRecord & { url: string });
      return;
    }
    // The owner runs but has its server stopped.
    if (this.attachment) this.detach();
    if (this.current.kind !== 'stopped' || this.current.owner?.pid !== owner.pid) this.setState({ kind: 'stopped', owner });
  }

  private attach(owner: OwnerRecord & { url: string }): void {
    this.detach();
    // Someone serves: a hold-off (relinquish) has done its job.
    this.holdOffUntil = 0;
    const primaryKey = this.foreign?.owner === owner ? this.foreign.primaryKey : () => this.options.ownership!.primaryKey();
    const admin = new RemoteAdmin({ baseUrl: owner.url, key: primaryKey, timeoutMs: 60_000, ownerPid: owner.pid });
    let opened = false;
    const subscription = admin.subscribe(
      (event) => this.remoteEvent(event),
      () => {
        opened = true;
        // Subscribed first, then listed: no change falls between the two.
        void admin.call('accounts').then(
          (accounts) => {
            if (this.attachment?.admin !== admin) return;
            this.remoteAccounts = accounts;
            this.accountsEmitter.fire();
          },
          (err: unknown) => this.options.logger.warn('cannot list the accounts of the owning window', { error: asError(err).message }),
        );
      },
    );
    const attachment: Attachment = { owner, admin, subscription };
    this.attachment = attachment;
    subscription.ended
      .catch((err: unknown) => this.options.logger.info('the event stream of the owning window failed', { error: asError(err).message }))
      .finally(() => {
        if (this.attachment !== attachment) return;
        this.attachment = undefined;
        // A stream that ran and ended: the owner stopped or went away, so look at once. One that never opened
        // (the owner is stopping or exiting but has not said so yet) is looked at again shortly, not in a loop.
        if (opened) void this.serially(() => this.follow());
        else setTimeout(() => void this.serially(() => this.follow()), REATTACH_MS);
      });
    const url = new URL(owner.url);
    this.options.logger.info('attached to the gateway of another window', { url: owner.url, pid: owner.pid });
    this.setState({ kind: 'running', url: owner.url, host: url.hostname, port: owner.port ?? Number(url.port), owner });
    this.adminEmitter.fire();
  }

  private detach(): void {
    const attachment = this.attachment;
    this.attachment = undefined;
    attachment?.subscription.close();
  }

  private remoteEvent(event: AdminEvent): void {
    if (event.type === 'account') {
      const index = this.remoteAccounts.findIndex((account) => account.id === event.account.id);
      this.remoteAccounts =
        index < 0 ? [...this.remoteAccounts, event.account] : this.remoteAccounts.map((account, i) => (i === index ? event.account : account));
      this.remoteAccounts.sort((a, b) => a.priority - b.priority);
      this.accountsEmitter.fire();
    } else if (event.type === 'account-removed') {
      this.remoteAccounts = this.remoteAccounts.filter((account) => account.id !== event.id);
      this.accountsEmitter.fire();
    } else if (event.type === 'gateway' && !event.gateway.running) {
      void this.serially(() => this.follow());
    }
  }

  /** Start in an attached window: the owner serves already, or is asked to start (it watches for the request). */
  private async startRemote(): Promise<GatewayState> {
    if (await this.tryOwn()) return this.startNow();
    // Read afresh after each await: following the owner changes it.
    const state = (): GatewayState => this.current;
    await this.follow();
    if (this.owns) return this.startNow();
    if (state().kind === 'running') return state();
    const dataDir = this.options.ownership!.dataDir;
    fs.writeFileSync(path.join(dataDir, START_REQUEST_FILE), JSON.stringify({ pid: process.pid }), { mode: 0o600 });
    const deadline = Date.now() + START_REQUEST_WAIT_MS;
    while (Date.now() < deadline && state().kind !== 'running' && !this.owns) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      await this.follow();
    }
    return this.owns ? this.startNow() : state();
  }

  /** Stop in an attached window stops the gateway of the owning window. */
  private async stopRemote(): Promise<GatewayState> {
    if (this.foreign) {
      // Stop using the other Agate; it keeps running for its own clients.
      this.foreign = undefined;
      this.detach();
      this.setState({ kind: 'stopped' });
      await this.follow();
      return this.current;
    }
    const attachment = this.attachment;
    if (attachment) {
      try {
        await attachment.admin.call('setRunning', { running: false });
      } catch (err) {
        this.options.logger.warn('the owning window did not confirm the stop', { error: asError(err).message });
      }
      this.detach();
      // The owner stops in the background: wait until it says so in the data dir (or goes).
      const dataDir = this.options.ownership!.dataDir;
      const deadline = Date.now() + STOP_WAIT_MS;
      for (let owner = readOwner(dataDir); owner?.pid === attachment.owner.pid && owner.url && Date.now() < deadline; owner = readOwner(dataDir)) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    await this.follow();
    return this.current;
  }
}
