import * as vscode from 'vscode';
import type { ProviderAction } from '../core/admin/protocol';
import { DEFAULT_BASE_URLS, PROVIDER_KINDS, type ProviderKind, type ProviderView } from '../core/providers/types';
import type { GatewayService } from './gateway-service';

/**
 * The API-key provider commands. As the account commands, each takes optional arguments that replace its
 * prompts (walkthrough links, other extensions, the extension-host tests). The key goes to the gateway's admin
 * API, which keeps it in the secret store: in VS Code the editor's SecretStorage, never settings.
 */

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export interface AddProviderArgs {
  kind: ProviderKind;
  name: string;
  key: string;
  baseUrl?: string;
  /** Listed models; without them the provider's models endpoint says. */
  models?: string[];
}

export interface ManageProvidersArgs {
  /** The provider's id or name. */
  provider: string;
  action: ProviderAction;
}

function kindLabel(kind: ProviderKind): string {
  switch (kind) {
    case 'anthropic':
      return 'Anthropic';
    case 'gemini-api':
      return 'Gemini API';
    case 'openai-compatible':
      return vscode.l10n.t('OpenAI-compatible (OpenAI, OpenRouter, DeepSeek, Ollama, LM Studio, vLLM…)');
  }
}

function describeProvider(provider: ProviderView): string {
  const state = !provider.enabled
    ? vscode.l10n.t('disabled')
    : provider.state === 'key_rejected'
      ? vscode.l10n.t('key rejected')
      : provider.status?.kind === 'cooling_down'
        ? vscode.l10n.t('cooling down')
        : provider.status?.kind === 'capped'
          ? vscode.l10n.t('over a cap')
          : vscode.l10n.t('ready');
  const spend = provider.today ? vscode.l10n.t('${0} today', provider.today.spendUsd.toFixed(4)) : undefined;
  return [provider.kind, state, spend].filter(Boolean).join(' · ');
}

/** Asks for what the arguments did not give; undefined when the user cancelled. */
async function askForProvider(): Promise<AddProviderArgs | undefined> {
  const title = vscode.l10n.t('Agate: Add API Key Provider');
  const kind = await vscode.window.showQuickPick(
    // Not `kind`: a quick pick item's `kind` marks separators.
    PROVIDER_KINDS.map((value) => ({ providerKind: value, label: kindLabel(value), description: DEFAULT_BASE_URLS[value] ?? '' })),
    { title, placeHolder: vscode.l10n.t('Which API does the provider speak?') },
  );
  if (!kind) return undefined;
  const name = await vscode.window.showInputBox({
    title,
    prompt: vscode.l10n.t('A name for the provider; clients reach its models as name:model.'),
    ignoreFocusOut: true,
    validateInput: (value) =>
      /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/.test(value.trim())
        ? undefined
        : vscode.l10n.t('1-40 letters, digits, ".", "_" or "-", starting with a letter or digit'),
  });
  if (!name) return undefined;
  const fallback = DEFAULT_BASE_URLS[kind.providerKind];
  const baseUrl = await vscode.window.showInputBox({
    title,
    prompt: fallback
      ? vscode.l10n.t('Base URL (leave as is for {0})', fallback)
      : vscode.l10n.t('Base URL, up to and including the version (https://api.openai.com/v1, http://localhost:11434/v1 …)'),
    value: fallback ?? '',
    ignoreFocusOut: true,
    validateInput: (value) => (/^https?:\/\/\S+$/.test(value.trim()) ? undefined : vscode.l10n.t('An http:// or https:// URL')),
  });
  if (baseUrl === undefined) return undefined;
  const key = await vscode.window.showInputBox({
    title,
    prompt: vscode.l10n.t("The provider's API key. It is kept in the editor's secret storage, never in settings."),
    password: true,
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() ? undefined : vscode.l10n.t('Paste an API key')),
  });
  if (!key) return undefined;
  const models = await vscode.window.showInputBox({
    title,
    prompt: vscode.l10n.t('Models it serves, separated by commas; leave empty to ask its models endpoint.'),
    ignoreFocusOut: true,
  });
  if (models === undefined) return undefined;
  const listed = models
    .split(/[\s,]+/)
    .map((model) => model.trim())
    .filter(Boolean);
  return { kind: kind.providerKind, name: name.trim(), key: key.trim(), baseUrl: baseUrl.trim() || undefined, models: listed.length > 0 ? listed : undefined };
}

/** "Add API Key Provider". Resolves with the provider as the admin API shows it (never the key), or undefined. */
export async function addApiKeyProvider(service: GatewayService, args?: AddProviderArgs): Promise<ProviderView | undefined> {
  const input = args ?? (await askForProvider());
  if (!input) return undefined;
  try {
    const admin = await service.admin();
    const added = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Agate: checking the key with {0}…', input.name) },
      () =>
        admin.call('addProvider', {
          kind: input.kind,
          name: input.name,
          key: input.key,
          ...(input.baseUrl ? { baseUrl: input.baseUrl } : {}),
          ...(input.models ? { models: input.models } : {}),
        }),
    );
    void vscode.window.showInformationMessage(
      vscode.l10n.t('Agate: added the provider {0} ({1} models). Clients reach them as {0}:model.', added.name, added.models.length),
    );
    return added;
  } catch (err) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Agate could not add the provider: {0}', messageOf(err)));
    return undefined;
  }
}

interface ActionItem extends vscode.QuickPickItem {
  action: ProviderAction;
}

function actionsFor(provider: ProviderView): ActionItem[] {
  return [
    provider.enabled
      ? { action: 'disable', label: `$(circle-slash) ${vscode.l10n.t('Disable')}`, description: vscode.l10n.t('Keep the provider but send it no requests') }
      : { action: 'enable', label: `$(check) ${vscode.l10n.t('Enable')}`, description: vscode.l10n.t('Let requests reach this provider again') },
    { action: 'refreshModels', label: `$(refresh) ${vscode.l10n.t('Refresh Models')}`, description: vscode.l10n.t("Ask the provider's models endpoint again") },
    { action: 'remove', label: `$(trash) ${vscode.l10n.t('Remove')}`, description: vscode.l10n.t('Forget the provider and its key') },
  ];
}

/** "Manage API Key Providers": pick a provider, then an action. Resolves with the provider afterwards (as it was, once removed). */
export async function manageApiKeyProviders(service: GatewayService, args?: ManageProvidersArgs): Promise<ProviderView | undefined> {
  try {
    const admin = await service.admin();
    const providers = await admin.call('providers');
    let provider: ProviderView | undefined;
    let action: ProviderAction | undefined;
    if (args) {
      provider = providers.find((each) => each.id === args.provider || each.name.toLowerCase() === args.provider.toLowerCase());
      if (!provider) throw new Error(vscode.l10n.t('no provider "{0}"', args.provider));
      action = args.action;
    } else {
      if (providers.length === 0) {
        const add = vscode.l10n.t('Add API Key Provider');
        if ((await vscode.window.showInformationMessage(vscode.l10n.t('Agate has no API key providers yet.'), add)) === add)
          return await addApiKeyProvider(service);
        return undefined;
      }
      const picked = await vscode.window.showQuickPick(
        providers.map((each) => ({
          provider: each,
          label: each.name,
          description: describeProvider(each),
          detail: each.stateReason ?? each.models.join(', '),
        })),
        { title: vscode.l10n.t('Agate: Manage API Key Providers'), placeHolder: vscode.l10n.t('Choose a provider') },
      );
      provider = picked?.provider;
      if (!provider) return undefined;
      action = (await vscode.window.showQuickPick(actionsFor(provider), { title: `Agate: ${provider.name}`, placeHolder: describeProvider(provider) }))?.action;
      if (!action) return undefined;
      if (action === 'remove') {
        const remove = vscode.l10n.t('Remove');
        const answer = await vscode.window.showWarningMessage(
          vscode.l10n.t("Remove the provider {0} from Agate? Its key is deleted from the editor's secret storage.", provider.name),
          { modal: true },
          remove,
        );
        if (answer !== remove) return undefined;
      }
    }
    const after = await admin.call('providerAction', { id: provider.id, action });
    return after.find((each) => each.id === provider.id) ?? provider;
  } catch (err) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Agate: {0}', messageOf(err)));
    return undefined;
  }
}
