// The dashboard's API Proxy tab: gateway state and listen settings, client keys, model aliases and groups, and the
// client snippets. Over 400 lines because its sections save through one settings form and redraw from one
// settings answer; the controls, sortable lists and snippets it uses are their own modules.
import type { AuthMode, ConnectClientState, ConnectPreview, GatewayInfo, ModelGroup, ProxyInfo, ProxySettings, SchedulingMode } from '../src/core/admin/types';
import { button, checkbox, copyText, select, textField } from './controls';
import { clear, h } from './dom';
import { clientSnippets, KEY_PLACEHOLDER, type SnippetId } from './snippets';
import { sortableList } from './sortable';
import type { Transport } from './transport';
import { ago, formatTokens, usableAccounts } from './view-model';
import { DEFAULT_MODEL_ALIASES } from '../src/core/scheduler/default-aliases';
import { t } from './l10n';

const AUTH_MODES: ReadonlyArray<readonly [AuthMode, string]> = [
  ['auto', t('auto — off on loopback, strict beyond')],
  ['off', t('off — no key (loopback only)')],
  ['strict', t('strict — every request needs a key')],
  ['all_except_health', t('all except /healthz')],
];
const SCHEDULING_MODES: ReadonlyArray<readonly [SchedulingMode, string]> = [
  ['cache-first', t('cache-first — keep a conversation on one account')],
  ['balance', t('balance — spread over the most quota left')],
  ['performance-first', t('performance-first — the fastest account')],
];
const LISTEN_LABELS: Partial<Record<keyof ProxySettings, string>> = { port: t('Port'), host: t('Host'), allowLanAccess: t('LAN access') };

interface AliasRow {
  from: string;
  to: string;
}
interface GroupRow {
  name: string;
  strategy: ModelGroup['strategy'];
  models: string[];
}

/** The nodes that are there: a section leaves out what does not apply with null. */
const present = (...nodes: Array<Node | null>): Node[] => nodes.filter((node): node is Node => node !== null);

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The aliases every gateway has, read-only: the user's own win over them. */
function builtInAliases(): HTMLElement {
  const rows = Object.entries(DEFAULT_MODEL_ALIASES).map(([from, to]) =>
    h('tr', {}, h('td', {}, h('code', { text: from })), h('td', {}, h('code', { text: to }))),
  );
  return h(
    'details',
    { className: 'built-in-aliases', attrs: { 'data-built-in-aliases': '' } },
    h('summary', { text: t('Built-in aliases ({0}, read-only; yours take precedence)', rows.length) }),
    h(
      'table',
      { attrs: { 'aria-label': t('Built-in model aliases') } },
      h(
        'thead',
        {},
        h('tr', {}, h('th', { text: t('Client model'), attrs: { scope: 'col' } }), h('th', { text: t('Upstream model'), attrs: { scope: 'col' } })),
      ),
      h('tbody', {}, ...rows),
    ),
  );
}

/**
 * The API Proxy panel: server state and start/stop, listen and auth settings,
 * client keys, model aliases and groups (ordered), scheduling mode, and the
 * base URL with client snippets. Edits go to the host's own settings.
 */
export class ProxyView {
  readonly element = h('section', { className: 'view proxy', attrs: { 'aria-label': t('API Proxy') } });
  private readonly gatewayBox = h('div', { className: 'proxy-section', attrs: { 'aria-label': t('Gateway') } });
  private readonly keysBox = h('div', { className: 'proxy-section', attrs: { 'aria-label': t('Client keys') } });
  private readonly aliasesBox = h('div', { className: 'proxy-section', attrs: { 'aria-label': t('Model aliases') } });
  private readonly groupsBox = h('div', { className: 'proxy-section', attrs: { 'aria-label': t('Model groups') } });
  private readonly snippetsBox = h('div', { className: 'proxy-section', attrs: { 'aria-label': t('Connect a client') } });
  private readonly error = h('p', { className: 'error', attrs: { role: 'alert' } });
  private info: ProxyInfo | undefined;
  private aliases: AliasRow[] = [];
  private groups: GroupRow[] = [];
  private revealedKey: string | undefined;
  private issuedKey: { name: string; key: string } | undefined;
  private snippet: SnippetId = 'claude-code';
  /** "Connect a client": what the gateway's user has connected, the diff on show, the last thing done. */
  private readonly connectBox = h('div', { className: 'connect-clients', attrs: { role: 'group', 'aria-label': t('Write a client’s settings') } });
  private connectStates: ConnectClientState[] | undefined;
  private connectPreview: ConnectPreview | undefined;
  private connectNote = '';
  private connectError = '';

  constructor(
    private readonly transport: Transport,
    private readonly say: (message: string) => void,
  ) {
    this.element.append(this.error, h('div', { className: 'proxy-grid' }, this.gatewayBox, this.snippetsBox, this.keysBox, this.aliasesBox, this.groupsBox));
  }

  async load(): Promise<void> {
    await this.attempt(async () => this.show(await this.transport.call('proxy', {})));
    await this.loadConnect();
  }

  /** A gateway event (started, stopped, settings saved): the state line follows without a reload of the drafts. */
  gatewayChanged(gateway: GatewayInfo): void {
    if (!this.info) return;
    this.info = { ...this.info, gateway };
    this.renderGateway();
    this.renderSnippets();
    // The base URL or the auth mode may have changed: "connected" means with the settings in force.
    void this.loadConnect();
  }

  private show(info: ProxyInfo): void {
    this.info = info;
    this.aliases = Object.entries(info.settings['models.aliases']).map(([from, to]) => ({ from, to }));
    this.groups = Object.entries(info.settings['models.groups']).map(([name, group]) => ({
      name,
      strategy: group.strategy ?? 'ordered',
      models: [...group.models],
    }));
    this.renderGateway();
    this.renderKeys();
    this.renderAliases();
    this.renderGroups();
    this.renderSnippets();
  }

  private async attempt(work: () => Promise<void>, errorBox: HTMLElement = this.error): Promise<boolean> {
    errorBox.textContent = '';
    try {
      await work();
      return true;
    } catch (err) {
      errorBox.textContent = errorText(err);
      return false;
    }
  }

  /** Saves some settings through the host; says which wait for a restart. */
  private async save(changes: Partial<ProxySettings>, errorBox: HTMLElement, what: string): Promise<void> {
    await this.attempt(async () => {
      const info = await this.transport.call('updateSettings', { changes });
      this.show(info);
      const waiting = Object.keys(changes).filter((key) => key in info.pendingRestart || key in info.overridden);
      this.say(waiting.length > 0 ? t('{0} saved; not yet in force: {1}', what, waiting.join(', ')) : t('{0} saved and in force', what));
    }, errorBox);
  }

  private heading(title: string, note?: string): HTMLElement[] {
    return note ? [h('h2', { text: title }), h('p', { className: 'muted', text: note })] : [h('h2', { text: title })];
  }

  private renderGateway(): void {
    const info = this.info!;
    const { gateway, settings, pendingRestart, overridden } = info;
    const errorBox = h('p', { className: 'error', attrs: { role: 'alert' } });
    const state = h(
      'p',
      { className: `gateway-state ${gateway.running ? 'running' : 'stopped'}`, attrs: { 'data-gateway-state': gateway.running ? 'running' : 'stopped' } },
      h('strong', { text: gateway.running ? t('Running') : t('Stopped') }),
      gateway.running && gateway.url ? t(' at {0}', gateway.url) : '',
      t(' · auth {0} · {1}', gateway.authMode, usableAccounts(gateway.accounts.usable, gateway.accounts.total)),
    );
    const toggle = info.canStartStop
      ? button(
          gateway.running ? t('Stop gateway') : t('Start gateway'),
          () =>
            void this.attempt(async () => {
              this.show(await this.transport.call('setRunning', { running: !gateway.running }));
              this.say(this.info?.gateway.running ? t('Gateway started') : t('Gateway stopped'));
            }, errorBox),
          { secondary: gateway.running },
        )
      : h('p', { className: 'muted', text: t('This gateway runs in a terminal ("agate serve"): stop it there with Ctrl-C.') });

    // The fields show what is saved; the list below them says what is not in force yet.
    const saved: ProxySettings = { ...settings, ...overridden, ...pendingRestart };
    const port = textField('proxy-port', t('Port'), String(saved.port), { type: 'number', min: 0, max: 65535 });
    const host = textField('proxy-host', t('Host'), saved.host);
    const lan = checkbox('proxy-lan', t('Allow LAN access (other machines; they need a key)'), saved.allowLanAccess);
    const auth = select('proxy-auth', t('Auth mode'), AUTH_MODES, saved.authMode);
    const scheduling = select('proxy-scheduling', t('Scheduling'), SCHEDULING_MODES, saved['scheduling.mode']);
    const labelOf = (key: string) => LISTEN_LABELS[key as keyof ProxySettings] ?? key;
    const pending = [
      ...Object.entries(pendingRestart).map(([key, value]) =>
        h('li', { text: t('{0}: {1} is saved and applies when the gateway restarts', labelOf(key), JSON.stringify(value)) }),
      ),
      ...Object.entries(overridden).map(([key, value]) =>
        h('li', { text: t('{0}: {1} is saved, but a command-line option or AGATE_* variable overrides it', labelOf(key), JSON.stringify(value)) }),
      ),
    ];
    const submit = () => {
      const port = Number(portValue());
      const next: Partial<ProxySettings> = {
        port: Number.isFinite(port) && portValue().trim() !== '' ? port : (portValue() as unknown as number),
        host: host.control.value.trim(),
        allowLanAccess: lan.checked,
        authMode: auth.control.value as AuthMode,
        'scheduling.mode': scheduling.control.value as SchedulingMode,
      };
      // Only what the user changed: an untouched setting stays unset in the host's settings.
      const changes = Object.fromEntries(Object.entries(next).filter(([key, value]) => saved[key as keyof ProxySettings] !== value));
      if (Object.keys(changes).length === 0) return this.say(t('Nothing changed'));
      void this.save(changes, errorBox, t('Gateway settings'));
    };
    const portValue = () => port.control.value;
    clear(this.gatewayBox);
    this.gatewayBox.append(
      ...present(
        ...this.heading(t('Gateway'), info.settingsWritable ? t('Settings are saved to {0}.', info.settingsLocation) : undefined),
        h('div', { className: 'row' }, state, toggle),
        h(
          'form',
          { className: 'settings-form', attrs: { 'aria-label': t('Gateway settings') }, on: { submit: (event) => (event.preventDefault(), submit()) } },
          h('div', { className: 'row' }, port.field, host.field),
          lan,
          h('div', { className: 'row' }, auth.field, scheduling.field),
          info.settingsWritable
            ? button(t('Save gateway settings'), submit, { attrs: { 'data-action': 'save-gateway' } })
            : h('p', { className: 'muted', text: t('This host does not let the dashboard change settings.') }),
        ),
        pending.length > 0 ? h('ul', { className: 'pending', attrs: { 'aria-label': t('Saved but not yet in force') } }, ...pending) : null,
        errorBox,
      ),
    );
  }

  private renderKeys(): void {
    const info = this.info!;
    const errorBox = h('p', { className: 'error', attrs: { role: 'alert' } });
    const name = textField('key-name', t('Name'), '', { placeholder: t('e.g. laptop, ci, alice') });
    const models = textField('key-models', t('Allowed models (optional)'), '', { placeholder: 'claude-*, gemini-3-flash' });
    const create = () =>
      void this.attempt(async () => {
        const allowedModels = models.control.value
          .split(',')
          .map((model) => model.trim())
          .filter(Boolean);
        const keyName = name.control.value.trim();
        const { key, proxy } = await this.transport.call('createClientKey', allowedModels.length > 0 ? { name: keyName, allowedModels } : { name: keyName });
        this.issuedKey = { name: keyName, key };
        this.info = proxy;
        this.renderKeys();
        this.say(t('Client key {0} created: copy it now, it is shown once', keyName));
      }, errorBox);
    const issued = this.issuedKey
      ? h(
          'div',
          { className: 'issued-key', attrs: { role: 'group', 'aria-label': t('New client key') } },
          h('p', {}, h('strong', { text: t('Key "{0}" — shown only now. ', this.issuedKey.name) }), t('Copy it into the client; Agate keeps only its hash.')),
          h('code', { className: 'secret', text: this.issuedKey.key, attrs: { 'data-issued-key': '' } }),
          button(t('Copy key'), () => void this.copy(this.issuedKey!.key, t('Key copied'), errorBox)),
          button(t('Done'), () => ((this.issuedKey = undefined), this.renderKeys()), { secondary: true }),
        )
      : null;
    const rows = info.keys.map((key) => {
      const revoke = button(
        t('Revoke'),
        () => {
          // Two steps instead of confirm(), which webviews do not show.
          if (!revoke.dataset.armed) {
            revoke.dataset.armed = 'true';
            revoke.textContent = t('Confirm revoke');
            return;
          }
          void this.attempt(async () => {
            this.info = await this.transport.call('revokeClientKey', { id: key.id });
            this.renderKeys();
            this.say(t('Client key {0} revoked', key.name));
          }, errorBox);
        },
        { secondary: true, attrs: { 'aria-label': t('Revoke {0}', key.name) } },
      );
      return h(
        'tr',
        { attrs: { 'data-key': key.id } },
        h('td', { text: key.name }),
        h('td', {}, h('code', { text: key.hint })),
        h('td', { text: key.allowedModels?.join(', ') ?? 'all' }),
        h('td', { text: t('{0} req · {1} tok', formatTokens(key.today.requests), formatTokens(key.today.tokens)) }),
        h('td', { text: ago(key.createdAt, Date.now()) }),
        h('td', {}, revoke),
      );
    });
    clear(this.keysBox);
    this.keysBox.append(
      ...present(
        ...this.heading(t('Client keys'), t('One key per client or person: revoke one without touching the others. Used when auth is on.')),
        issued,
        info.keys.length > 0
          ? h(
              'table',
              { className: 'keys', attrs: { 'aria-label': t('Client keys') } },
              h(
                'thead',
                {},
                h('tr', {}, ...[t('Name'), t('Key'), t('Models'), t('Today'), t('Created'), ''].map((text) => h('th', { text, attrs: { scope: 'col' } }))),
              ),
              h('tbody', {}, ...rows),
            )
          : h('p', { className: 'muted', text: t('No client keys yet.') }),
        h(
          'form',
          { className: 'row', attrs: { 'aria-label': t('Create a client key') }, on: { submit: (event) => (event.preventDefault(), create()) } },
          name.field,
          models.field,
          button(t('Create key'), create, { attrs: { 'data-action': 'create-key' } }),
        ),
        errorBox,
      ),
    );
  }

  private renderAliases(): void {
    const errorBox = h('p', { className: 'error', attrs: { role: 'alert' } });
    const list = sortableList({
      label: t('Model aliases, in order (an earlier pattern wins a tie)'),
      items: this.aliases,
      focusKey: 'alias',
      nameOf: (alias, index) => alias.from || `alias ${index + 1}`,
      moved: (items) => ((this.aliases = items), this.renderAliases()),
      render: (alias, index) => {
        const from = textField(`alias-from-${index}`, t('Client model'), alias.from, { placeholder: t('gpt-4o or claude-haiku*') });
        const to = textField(`alias-to-${index}`, t('Upstream model or group'), alias.to, { placeholder: 'gemini-3-flash' });
        from.control.addEventListener('input', () => (alias.from = from.control.value));
        to.control.addEventListener('input', () => (alias.to = to.control.value));
        return [
          from.field,
          h('span', { className: 'arrow', text: '→', attrs: { 'aria-hidden': 'true' } }),
          to.field,
          button(t('Remove'), () => ((this.aliases = this.aliases.filter((row) => row !== alias)), this.renderAliases()), {
            secondary: true,
            attrs: { 'aria-label': t('Remove alias {0}', alias.from || index + 1) },
          }),
        ];
      },
    });
    const saveAliases = () => {
      const entries = this.aliases.map((row) => [row.from.trim(), row.to.trim()] as const).filter(([from, to]) => from || to);
      const names = entries.map(([from]) => from);
      const duplicate = names.find((name, index) => names.indexOf(name) !== index);
      if (duplicate) return void (errorBox.textContent = t('The alias "{0}" is listed twice', duplicate));
      void this.save({ 'models.aliases': Object.fromEntries(entries) }, errorBox, t('Model aliases'));
    };
    clear(this.aliasesBox);
    this.aliasesBox.append(
      ...present(
        ...this.heading(t('Model aliases'), t('A client model id (or prefix* pattern) → an upstream model or a group. Added to the built-in aliases.')),
        this.aliases.length > 0 ? list : h('p', { className: 'muted', text: t('No aliases of your own.') }),
        h(
          'div',
          { className: 'row' },
          button(t('Add alias'), () => ((this.aliases = [...this.aliases, { from: '', to: '' }]), this.renderAliases()), { secondary: true }),
          this.info!.settingsWritable ? button(t('Save aliases'), saveAliases, { attrs: { 'data-action': 'save-aliases' } }) : null,
        ),
        errorBox,
        builtInAliases(),
      ),
    );
  }

  private renderGroups(): void {
    const errorBox = h('p', { className: 'error', attrs: { role: 'alert' } });
    const groups = this.groups.map((group, groupIndex) => {
      const name = textField(`group-name-${groupIndex}`, t('Group name'), group.name, { placeholder: 'fast' });
      name.control.addEventListener('input', () => (group.name = name.control.value));
      const strategy = select(
        `group-strategy-${groupIndex}`,
        t('Strategy'),
        [
          ['ordered', t('ordered — in this order')],
          ['random', t('random — shuffled per request')],
        ],
        group.strategy ?? 'ordered',
      );
      strategy.control.addEventListener('change', () => (group.strategy = strategy.control.value as GroupRow['strategy']));
      const models = sortableList({
        label: t('Models of {0}, in the order they are tried', group.name || t('the group')),
        items: group.models,
        focusKey: `group-${groupIndex}`,
        nameOf: (model, index) => model || `model ${index + 1}`,
        moved: (items) => ((group.models = items), this.renderGroups()),
        render: (model, index) => {
          const field = textField(`group-${groupIndex}-model-${index}`, t('Model {0}', index + 1), model, { placeholder: 'gemini-3-flash' });
          field.control.addEventListener('input', () => (group.models[index] = field.control.value));
          return [
            field.field,
            button(t('Remove'), () => ((group.models = group.models.filter((_, at) => at !== index)), this.renderGroups()), {
              secondary: true,
              attrs: { 'aria-label': t('Remove {0} from {1}', model || t('model {0}', index + 1), group.name || t('the group')) },
            }),
          ];
        },
      });
      return h(
        'fieldset',
        { className: 'group', attrs: { 'data-group': groupIndex } },
        h('legend', { text: group.name || t('Group {0}', groupIndex + 1) }),
        h('div', { className: 'row' }, name.field, strategy.field),
        models,
        h(
          'div',
          { className: 'row' },
          button(t('Add model'), () => ((group.models = [...group.models, '']), this.renderGroups()), { secondary: true }),
          button(t('Remove group'), () => ((this.groups = this.groups.filter((row) => row !== group)), this.renderGroups()), { secondary: true }),
        ),
      );
    });
    const saveGroups = () => {
      const entries = this.groups.map(
        (group) => [group.name.trim(), { strategy: group.strategy, models: group.models.map((model) => model.trim()).filter(Boolean) }] as const,
      );
      const names = entries.map(([name]) => name);
      const duplicate = names.find((name, index) => names.indexOf(name) !== index);
      if (duplicate !== undefined) return void (errorBox.textContent = t('The group "{0}" is listed twice', duplicate));
      void this.save({ 'models.groups': Object.fromEntries(entries) }, errorBox, t('Model groups'));
    };
    clear(this.groupsBox);
    this.groupsBox.append(
      ...present(
        ...this.heading(t('Model groups'), t('A named list of upstream models, usable as a model id or an alias target.')),
        ...groups,
        this.groups.length === 0 ? h('p', { className: 'muted', text: t('No model groups.') }) : null,
        h(
          'div',
          { className: 'row' },
          button(t('Add group'), () => ((this.groups = [...this.groups, { name: '', strategy: 'ordered', models: [''] }]), this.renderGroups()), {
            secondary: true,
          }),
          this.info!.settingsWritable ? button(t('Save groups'), saveGroups, { attrs: { 'data-action': 'save-groups' } }) : null,
        ),
        errorBox,
      ),
    );
  }

  private renderSnippets(): void {
    const { gateway, settings } = this.info!;
    const errorBox = h('p', { className: 'error', attrs: { role: 'alert' } });
    const host = settings.host === '0.0.0.0' || settings.host === '::' ? '127.0.0.1' : settings.host.includes(':') ? `[${settings.host}]` : settings.host;
    const baseUrl = gateway.url ?? `http://${host}:${settings.port}`;
    const authOn = gateway.authMode !== 'off';
    // With auth off any text passes; with auth on the real key appears only after "Reveal".
    const key = !authOn ? 'agate' : (this.revealedKey ?? KEY_PLACEHOLDER);
    const snippets = clientSnippets({ baseUrl, key });
    const current = snippets.find((snippet) => snippet.id === this.snippet) ?? snippets[0];
    const picker = select(
      'snippet-client',
      t('Client'),
      snippets.map((snippet) => [snippet.id, snippet.label] as const),
      current.id,
    );
    picker.control.addEventListener('change', () => ((this.snippet = picker.control.value as SnippetId), this.renderSnippets()));
    clear(this.snippetsBox);
    this.snippetsBox.append(
      ...present(
        ...this.heading(t('Connect a client')),
        h(
          'p',
          { className: 'row base-url' },
          t('Base URL') + ' ',
          h('code', { text: baseUrl, attrs: { 'data-base-url': '' } }),
          button(t('Copy'), () => void this.copy(baseUrl, t('Base URL copied'), errorBox), {
            secondary: true,
            attrs: { 'aria-label': t('Copy the base URL') },
          }),
        ),
        h(
          'div',
          { className: 'row' },
          picker.field,
          authOn
            ? this.revealedKey
              ? button(t('Hide key'), () => ((this.revealedKey = undefined), this.renderSnippets()), { secondary: true })
              : button(
                  t('Reveal primary key'),
                  () =>
                    void this.attempt(async () => {
                      this.revealedKey = (await this.transport.call('primaryKey', {})).key;
                      this.renderSnippets();
                    }, errorBox),
                  { secondary: true },
                )
            : null,
        ),
        h('p', {
          className: 'muted',
          text: `${current.where}${authOn && !this.revealedKey ? t(' — replace {0} with your key or a client key', KEY_PLACEHOLDER) : ''}`,
        }),
        h('pre', { className: 'snippet', attrs: { 'data-snippet': current.id, 'aria-label': `${current.label} setup` } }, h('code', { text: current.text })),
        button(t('Copy snippet'), () => void this.copy(current.text, t('{0} snippet copied', current.label), errorBox), {
          attrs: { 'data-action': 'copy-snippet' },
        }),
        errorBox,
        this.connectBox,
      ),
    );
  }

  /** Connect / Disconnect: the settings files of the user running the gateway, written by the gateway (as `agate connect`). */
  private async loadConnect(): Promise<void> {
    try {
      // An action's error stays on show: only a failed read replaces it.
      this.connectStates = await this.transport.call('connectClients', {});
    } catch (err) {
      this.connectError = errorText(err);
    }
    this.renderConnect();
  }

  /** Runs a connect action: its message, or its error, shown in the box; the states read again after a write. */
  private async connectAction(work: () => Promise<string | undefined>, reload: boolean): Promise<void> {
    this.connectError = '';
    try {
      const note = await work();
      if (note !== undefined) {
        this.connectNote = note;
        this.say(note);
      }
    } catch (err) {
      this.connectError = errorText(err);
    }
    if (reload) await this.loadConnect();
    else this.renderConnect();
  }

  private renderConnect(): void {
    const rows = (this.connectStates ?? []).map((state) => {
      const stateText = state.error
        ? t('Cannot read its settings: {0}', state.error)
        : state.connected
          ? t('Connected')
          : state.canDisconnect
            ? t('Connected before, with other settings')
            : t('Not connected');
      const preview = button(
        t('Preview'),
        () =>
          void this.connectAction(async () => {
            this.connectPreview = await this.transport.call('previewConnect', { id: state.id });
            this.connectNote = '';
            return undefined;
          }, false),
        { secondary: true, attrs: { 'data-action': 'preview-connect', 'aria-label': t('Preview connecting {0}', state.title) } },
      );
      const disconnect = state.canDisconnect
        ? button(
            t('Disconnect'),
            () => {
              // Two steps instead of confirm(), which webviews do not show.
              if (!disconnect!.dataset.armed) {
                disconnect!.dataset.armed = 'true';
                disconnect!.textContent = t('Confirm disconnect');
                return;
              }
              void this.connectAction(async () => {
                const result = await this.transport.call('disconnectClient', { id: state.id });
                if (this.connectPreview?.id === state.id) this.connectPreview = undefined;
                return result.changedSince.length > 0
                  ? t(
                      '{0} no longer uses Agate: its files are as they were before. Changes made to {1} since connecting are undone too.',
                      result.title,
                      result.changedSince.join(', '),
                    )
                  : t('{0} no longer uses Agate: its files are as they were before.', result.title);
              }, true);
            },
            { secondary: true, attrs: { 'data-action': 'disconnect-client', 'aria-label': t('Disconnect {0}', state.title) } },
          )
        : null;
      return h(
        'tr',
        { attrs: { 'data-connect-client': state.id, 'data-connected': String(state.connected) } },
        h('td', { text: state.title }),
        h('td', {}, ...state.files.flatMap((file, index) => [index > 0 ? h('br') : null, h('code', { text: file })])),
        h('td', { className: 'connect-state', text: stateText }),
        h('td', {}, h('div', { className: 'row actions' }, ...present(preview, disconnect))),
      );
    });
    clear(this.connectBox);
    this.connectBox.append(
      ...present(
        h('h3', { text: t('Write a client’s settings') }),
        h('p', {
          className: 'muted',
          text: t(
            'Agate writes the settings files of the user running it, as "agate connect" does: you see the changes first, a backup of each file is kept, and Disconnect restores it.',
          ),
        }),
        this.connectStates
          ? h(
              'table',
              { className: 'keys connect-table', attrs: { 'aria-label': t('Clients Agate can connect') } },
              h('thead', {}, h('tr', {}, ...[t('Client'), t('Settings files'), t('State'), ''].map((text) => h('th', { text, attrs: { scope: 'col' } })))),
              h('tbody', {}, ...rows),
            )
          : null,
        this.connectPreview ? this.renderConnectPreview(this.connectPreview) : null,
        this.connectNote ? h('p', { className: 'connect-note', text: this.connectNote, attrs: { 'data-connect-note': '' } }) : null,
        h('p', { className: 'error', text: this.connectError, attrs: { role: 'alert' } }),
      ),
    );
  }

  private renderConnectPreview(preview: ConnectPreview): HTMLElement {
    const changed = preview.files.filter((file) => file.changed);
    const diffLines = (diff: string) =>
      // Without the patch's `Index:` and `====` lines: the file is named in the lines after them.
      diff
        .split('\n')
        .filter((line) => !line.startsWith('Index: ') && !/^=+$/.test(line))
        .map((line) =>
          h('span', {
            className: line.startsWith('+') && !line.startsWith('+++') ? 'diff-add' : line.startsWith('-') && !line.startsWith('---') ? 'diff-del' : '',
            text: `${line}\n`,
          }),
        );
    const connect = button(
      t('Connect'),
      () =>
        void this.connectAction(async () => {
          const result = await this.transport.call('connectClient', { id: preview.id });
          this.connectPreview = undefined;
          return result.written.length > 0
            ? t('{0} now uses Agate ({1}). Run: {2}', result.title, result.written.join(', '), result.run)
            : t('{0} already uses Agate at {1}.', result.title, result.baseUrl);
        }, true),
      { attrs: { 'data-action': 'connect-client', 'aria-label': t('Connect {0}', preview.title) } },
    );
    return h(
      'div',
      { className: 'connect-preview', attrs: { role: 'group', 'aria-label': t('Changes for {0}', preview.title), 'data-connect-preview': preview.id } },
      h('p', {
        text: preview.connected
          ? t('{0} already uses Agate at {1}: nothing to write.', preview.title, preview.baseUrl)
          : t('Connecting {0} to {1} makes these changes:', preview.title, preview.baseUrl),
      }),
      ...changed.map((file) =>
        h(
          'pre',
          { className: 'snippet diff', attrs: { 'aria-label': t('Changes to {0}', file.displayPath), 'data-diff': file.displayPath } },
          h('code', {}, ...diffLines(file.diff.trimEnd())),
        ),
      ),
      h(
        'div',
        { className: 'row' },
        ...present(
          preview.connected ? null : connect,
          button(t('Close'), () => ((this.connectPreview = undefined), this.renderConnect()), { secondary: true }),
        ),
      ),
    );
  }

  private async copy(text: string, done: string, errorBox: HTMLElement): Promise<void> {
    if (await this.attempt(() => copyText(text), errorBox)) this.say(done);
  }
}
