import * as vscode from 'vscode';
import { toAdminAccount } from '../core/admin/admin-api';
import type { AdminAccount, AdminImportReport } from '../core/admin/types';
import type { GatewayService } from './gateway-service';
import { describeAccount, formatResetIn, percent, remainingOf } from './quota-summary';

/**
 * The account commands. Each takes optional arguments that replace its prompts, so that walkthrough links,
 * other extensions and the extension-host tests can drive it; without them it asks through quick inputs. They
 * work in every window: through this window's core, or the admin API of the window that owns the gateway.
 */

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

function accountLabel(account: AdminAccount): string {
  return `${account.email} (${describeAccount(account)})`;
}

/** Runs `work` under a cancellable notification; cancelling aborts its signal. */
function withCancellableProgress<T>(title: string, work: (signal: AbortSignal) => Promise<T>): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (_progress, token) => {
    const controller = new AbortController();
    token.onCancellationRequested(() => controller.abort());
    return work(controller.signal);
  });
}

/** "Add Account (Refresh Token)". Resolves with the added account, or undefined when cancelled or failed (the user was told why). */
export async function addAccountByRefreshToken(service: GatewayService, refreshToken?: string): Promise<AdminAccount | undefined> {
  const token =
    refreshToken ??
    (await vscode.window.showInputBox({
      title: vscode.l10n.t('Agate: Add Account (Refresh Token)'),
      prompt: vscode.l10n.t(
        'The Google refresh token of an account with Antigravity access (it usually starts with "1//"). It is kept in the editor\'s secret storage.',
      ),
      password: true,
      ignoreFocusOut: true,
      validateInput: (value) => (value.trim() ? undefined : vscode.l10n.t('Paste a refresh token')),
    }));
  if (!token?.trim()) return undefined;
  try {
    const admin = await service.admin();
    const { account, created } = await withCancellableProgress(vscode.l10n.t('Agate: adding the account…'), async (signal) => {
      if (admin.local) {
        const added = await admin.local.pool.addByRefreshToken(token.trim(), { signal });
        return { account: toAdminAccount(added.account), created: added.created };
      }
      const before = await admin.call('accounts');
      const account = await admin.call('addAccount', { refreshToken: token.trim() });
      return { account, created: !before.some((existing) => existing.id === account.id) };
    });
    void vscode.window.showInformationMessage(
      created ? vscode.l10n.t('Agate: added {0}.', accountLabel(account)) : vscode.l10n.t('Agate: updated {0}.', accountLabel(account)),
    );
    return account;
  } catch (err) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Agate could not add the account: {0}', messageOf(err)));
    return undefined;
  }
}

/**
 * The loopback callback address as the browser reaches it. Desktop VS Code returns it unchanged (or forwarded to a
 * local port in remote windows, path kept); code-server returns only its port proxy's root for the port
 * (`https://host/proxy/51121/`) and drops the path, which its proxy would strip again: the path goes back on.
 */
async function externalRedirectUri(redirectUri: string): Promise<string> {
  const local = vscode.Uri.parse(redirectUri, true);
  const external = await vscode.env.asExternalUri(local);
  if (external.path.endsWith(local.path)) return external.toString(true);
  return external.with({ path: external.path.replace(/\/+$/, '') + local.path }).toString(true);
}

/** A Google sign-in under way, in this window's core or in the owning window's. */
interface SignIn {
  authorizeUrl: string;
  completion: Promise<AdminAccount>;
  cancel(): void;
}

/**
 * The sign-in runs in the window that owns the gateway (its loopback listener takes the redirect); this window
 * opens the browser and waits for the new account on the owner's event stream.
 */
async function remoteSignIn(service: GatewayService, loginHint: string | undefined): Promise<SignIn> {
  const admin = await service.admin();
  const before = new Set((await admin.call('accounts')).map((account) => account.id));
  let cancel = () => {};
  const completion = new Promise<AdminAccount>((resolve, reject) => {
    const subscription = service.onDidChangeAccounts(() => {
      const added = service.accounts().find((account) => !before.has(account.id) || (loginHint && account.email === loginHint));
      if (!added) return;
      subscription.dispose();
      resolve(added);
    });
    cancel = () => {
      subscription.dispose();
      reject(new Error('cancelled'));
    };
  });
  const { authorizeUrl } = await admin.call('beginSignIn', loginHint ? { loginHint } : {});
  return { authorizeUrl, completion, cancel: () => cancel() };
}

async function localSignIn(service: GatewayService, loginHint: string | undefined): Promise<SignIn> {
  const { pool } = await service.core();
  const session = await pool.beginSignIn({ loginHint, mapRedirectUri: externalRedirectUri });
  return { authorizeUrl: session.authorizeUrl, completion: session.completion.then(toAdminAccount), cancel: () => session.cancel() };
}

/**
 * "Add Account (Google Sign-In)": the browser signs in with Google and comes back to a loopback listener of the
 * core. The callback address goes through `env.asExternalUri`, which forwards it when the extension host runs
 * elsewhere than the browser (Remote SSH, containers, code-server).
 */
export async function addAccountWithGoogle(service: GatewayService, options: { loginHint?: string } = {}): Promise<AdminAccount | undefined> {
  try {
    const session = service.owns ? await localSignIn(service, options.loginHint) : await remoteSignIn(service, options.loginHint);
    const authorizeUri = vscode.Uri.parse(session.authorizeUrl, true);
    if (!(await vscode.env.openExternal(authorizeUri))) {
      const copy = vscode.l10n.t('Copy Link');
      if ((await vscode.window.showWarningMessage(vscode.l10n.t('Agate could not open the browser for Google sign-in.'), copy)) === copy) {
        await vscode.env.clipboard.writeText(session.authorizeUrl);
      }
    }
    const account = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Agate: waiting for Google sign-in in your browser…'), cancellable: true },
      (_progress, token) => {
        token.onCancellationRequested(() => session.cancel());
        return session.completion;
      },
    );
    void vscode.window.showInformationMessage(vscode.l10n.t('Agate: signed in {0}.', accountLabel(account)));
    return account;
  } catch (err) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Agate: Google sign-in did not complete: {0}', messageOf(err)));
    return undefined;
  }
}

function reportMessage(report: AdminImportReport): string {
  const counts = vscode.l10n.t('{0} added, {1} updated', report.added.length, report.updated.length);
  if (!report.failed.length) return vscode.l10n.t('Agate import: {0}.', counts);
  const failures = report.failed.map((failure) => `${failure.email ?? vscode.l10n.t('entry {0}', failure.index + 1)}: ${failure.error}`);
  return vscode.l10n.t('Agate import: {0}, {1} failed ({2}).', counts, report.failed.length, failures.join('; '));
}

/** "Import Accounts from File": a JSON export of Agate or of the tools it replaces (see parseAccountImport). */
export async function importAccounts(service: GatewayService, file?: vscode.Uri): Promise<AdminImportReport | undefined> {
  const uri =
    file ??
    (
      await vscode.window.showOpenDialog({
        title: vscode.l10n.t('Agate: Import Accounts'),
        canSelectMany: false,
        filters: { [vscode.l10n.t('Account exports')]: ['json'] },
        openLabel: vscode.l10n.t('Import'),
      })
    )?.[0];
  if (!uri) return undefined;
  try {
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    const admin = await service.admin();
    const report = await withCancellableProgress(vscode.l10n.t('Agate: importing accounts…'), async (signal): Promise<AdminImportReport> => {
      if (!admin.local) return admin.call('importAccounts', { content: text });
      const imported = await admin.local.pool.importAccounts(text, { signal });
      return { added: imported.added.map(toAdminAccount), updated: imported.updated.map(toAdminAccount), failed: imported.failed };
    });
    const show = report.failed.length ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    void show(reportMessage(report));
    return report;
  } catch (err) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Agate could not import {0}: {1}', uri.fsPath, messageOf(err)));
    return undefined;
  }
}

export type AccountAction = 'enable' | 'disable' | 'reauthenticate' | 'remove' | 'moveUp' | 'moveDown' | 'showQuota';

/** Arguments of "Manage Accounts" that skip its quick picks: the account (id or email) and what to do. */
export interface ManageAccountsArgs {
  account: string;
  action: AccountAction;
}

interface ActionItem extends vscode.QuickPickItem {
  action: AccountAction;
}

function actionsFor(account: AdminAccount, index: number, count: number): ActionItem[] {
  const items: ActionItem[] = [
    account.state === 'disabled'
      ? { action: 'enable', label: `$(check) ${vscode.l10n.t('Enable')}`, description: vscode.l10n.t('Let the scheduler use this account again') }
      : { action: 'disable', label: `$(circle-slash) ${vscode.l10n.t('Disable')}`, description: vscode.l10n.t('Keep the account but send it no requests') },
    { action: 'showQuota', label: `$(graph) ${vscode.l10n.t('Show Quota')}`, description: vscode.l10n.t('Fetch and list what is left per model') },
    {
      action: 'reauthenticate',
      label: `$(key) ${vscode.l10n.t('Re-authenticate')}`,
      description: vscode.l10n.t('Set the account up again with its stored token'),
    },
  ];
  if (index > 0) items.push({ action: 'moveUp', label: `$(arrow-up) ${vscode.l10n.t('Move Up')}`, description: vscode.l10n.t('Try this account earlier') });
  if (index < count - 1)
    items.push({ action: 'moveDown', label: `$(arrow-down) ${vscode.l10n.t('Move Down')}`, description: vscode.l10n.t('Try this account later') });
  items.push({ action: 'remove', label: `$(trash) ${vscode.l10n.t('Remove')}`, description: vscode.l10n.t('Forget the account and its token') });
  return items;
}

async function pickAccount(accounts: AdminAccount[]): Promise<AdminAccount | undefined> {
  const picked = await vscode.window.showQuickPick(
    accounts.map((account) => ({
      account,
      label: account.email,
      description: describeAccount(account),
      detail: account.stateReason ?? account.quotaError,
    })),
    { title: vscode.l10n.t('Agate: Manage Accounts'), placeHolder: vscode.l10n.t('Choose an account') },
  );
  return picked?.account;
}

async function showQuota(service: GatewayService, account: AdminAccount): Promise<AdminAccount | undefined> {
  const admin = await service.admin();
  const accounts = await admin.call('accountAction', { id: account.id, action: 'refreshQuota' });
  const fresh = accounts.find((each) => each.id === account.id) ?? account;
  const now = Date.now();
  await vscode.window.showQuickPick(
    fresh.models.map((model) => {
      const left = remainingOf(model);
      const reset = model.limit?.until ?? model.resetAt;
      return {
        label: model.displayName ?? model.model,
        description: left === undefined ? vscode.l10n.t('no quota reported') : vscode.l10n.t('{0} left', percent(left)),
        detail: reset ? vscode.l10n.t('resets {0}', formatResetIn(reset, now)) : undefined,
      };
    }),
    { title: vscode.l10n.t('Agate: quota of {0}', fresh.email), placeHolder: fresh.quotaError ?? vscode.l10n.t('What is left per model') },
  );
  return fresh;
}

async function runAction(service: GatewayService, account: AdminAccount, action: AccountAction, confirmed: boolean): Promise<AdminAccount | undefined> {
  const admin = await service.admin();
  const ids = (await admin.call('accounts')).map((each) => each.id);
  const index = ids.indexOf(account.id);
  const after = (accounts: AdminAccount[]) => accounts.find((each) => each.id === account.id);
  switch (action) {
    case 'enable':
    case 'disable':
      return after(await admin.call('accountAction', { id: account.id, action }));
    case 'showQuota':
      return showQuota(service, account);
    case 'reauthenticate':
      try {
        return await admin.call('reauthenticate', { id: account.id });
      } catch (err) {
        const signIn = vscode.l10n.t('Sign In with Google');
        const choice = await vscode.window.showErrorMessage(vscode.l10n.t('Agate: {0} needs a new sign-in: {1}', account.email, messageOf(err)), signIn);
        return choice === signIn ? addAccountWithGoogle(service, { loginHint: account.email }) : undefined;
      }
    case 'moveUp':
    case 'moveDown': {
      const target = action === 'moveUp' ? index - 1 : index + 1;
      if (target < 0 || target >= ids.length) return account;
      [ids[index], ids[target]] = [ids[target], ids[index]];
      return after(await admin.call('reorderAccounts', { ids }));
    }
    case 'remove': {
      if (!confirmed) {
        const remove = vscode.l10n.t('Remove');
        const answer = await vscode.window.showWarningMessage(
          vscode.l10n.t("Remove {0} from Agate? Its refresh token is deleted from the editor's secret storage.", account.email),
          { modal: true },
          remove,
        );
        if (answer !== remove) return undefined;
      }
      await admin.call('accountAction', { id: account.id, action: 'remove' });
      return account;
    }
  }
}

/** "Manage Accounts": pick an account, then an action. Resolves with the account as it is afterwards. */
export async function manageAccounts(service: GatewayService, args?: ManageAccountsArgs): Promise<AdminAccount | undefined> {
  try {
    const accounts = await (await service.admin()).call('accounts');
    if (args) {
      const account = accounts.find((each) => each.id === args.account || each.email === args.account);
      if (!account) throw new Error(vscode.l10n.t('no account "{0}"', args.account));
      // The caller chose the action already: no confirmation step.
      return await runAction(service, account, args.action, true);
    }
    if (accounts.length === 0) {
      const add = vscode.l10n.t('Add Account');
      if ((await vscode.window.showInformationMessage(vscode.l10n.t('Agate has no accounts yet.'), add)) === add) return await addAccountWithGoogle(service);
      return undefined;
    }
    const account = await pickAccount(accounts);
    if (!account) return undefined;
    const index = accounts.indexOf(account);
    const action = await vscode.window.showQuickPick(actionsFor(account, index, accounts.length), {
      title: `Agate: ${account.email}`,
      placeHolder: describeAccount(account),
    });
    return action && (await runAction(service, account, action.action, false));
  } catch (err) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Agate: {0}', messageOf(err)));
    return undefined;
  }
}
