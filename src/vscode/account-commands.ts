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
      title: 'Agate: Add Account (Refresh Token)',
      prompt: 'The Google refresh token of an account with Antigravity access (it usually starts with "1//"). It is kept in the editor\'s secret storage.',
      password: true,
      ignoreFocusOut: true,
      validateInput: (value) => (value.trim() ? undefined : 'Paste a refresh token'),
    }));
  if (!token?.trim()) return undefined;
  try {
    const admin = await service.admin();
    const { account, created } = await withCancellableProgress('Agate: adding the account…', async (signal) => {
      if (admin.local) {
        const added = await admin.local.pool.addByRefreshToken(token.trim(), { signal });
        return { account: toAdminAccount(added.account), created: added.created };
      }
      const before = await admin.call('accounts');
      const account = await admin.call('addAccount', { refreshToken: token.trim() });
      return { account, created: !before.some((existing) => existing.id === account.id) };
    });
    void vscode.window.showInformationMessage(`Agate: ${created ? 'added' : 'updated'} ${accountLabel(account)}.`);
    return account;
  } catch (err) {
    void vscode.window.showErrorMessage(`Agate could not add the account: ${messageOf(err)}`);
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
      const copy = 'Copy Link';
      if ((await vscode.window.showWarningMessage('Agate could not open the browser for Google sign-in.', copy)) === copy) {
        await vscode.env.clipboard.writeText(session.authorizeUrl);
      }
    }
    const account = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Agate: waiting for Google sign-in in your browser…', cancellable: true },
      (_progress, token) => {
        token.onCancellationRequested(() => session.cancel());
        return session.completion;
      },
    );
    void vscode.window.showInformationMessage(`Agate: signed in ${accountLabel(account)}.`);
    return account;
  } catch (err) {
    void vscode.window.showErrorMessage(`Agate: Google sign-in did not complete: ${messageOf(err)}`);
    return undefined;
  }
}

function reportMessage(report: AdminImportReport): string {
  const parts = [`${report.added.length} added`, `${report.updated.length} updated`];
  if (report.failed.length) {
    const failures = report.failed.map((failure) => `${failure.email ?? `entry ${failure.index + 1}`}: ${failure.error}`);
    parts.push(`${report.failed.length} failed (${failures.join('; ')})`);
  }
  return `Agate import: ${parts.join(', ')}.`;
}

/** "Import Accounts from File": a JSON export of Agate or of the tools it replaces (see parseAccountImport). */
export async function importAccounts(service: GatewayService, file?: vscode.Uri): Promise<AdminImportReport | undefined> {
  const uri =
    file ??
    (
      await vscode.window.showOpenDialog({
        title: 'Agate: Import Accounts',
        canSelectMany: false,
        filters: { 'Account exports': ['json'] },
        openLabel: 'Import',
      })
    )?.[0];
  if (!uri) return undefined;
  try {
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    const admin = await service.admin();
    const report = await withCancellableProgress('Agate: importing accounts…', async (signal): Promise<AdminImportReport> => {
      if (!admin.local) return admin.call('importAccounts', { content: text });
      const imported = await admin.local.pool.importAccounts(text, { signal });
      return { added: imported.added.map(toAdminAccount), updated: imported.updated.map(toAdminAccount), failed: imported.failed };
    });
    const show = report.failed.length ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    void show(reportMessage(report));
    return report;
  } catch (err) {
    void vscode.window.showErrorMessage(`Agate could not import ${uri.fsPath}: ${messageOf(err)}`);
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
      ? { action: 'enable', label: '$(check) Enable', description: 'Let the scheduler use this account again' }
      : { action: 'disable', label: '$(circle-slash) Disable', description: 'Keep the account but send it no requests' },
    { action: 'showQuota', label: '$(graph) Show Quota', description: 'Fetch and list what is left per model' },
    { action: 'reauthenticate', label: '$(key) Re-authenticate', description: 'Set the account up again with its stored token' },
  ];
  if (index > 0) items.push({ action: 'moveUp', label: '$(arrow-up) Move Up', description: 'Try this account earlier' });
  if (index < count - 1) items.push({ action: 'moveDown', label: '$(arrow-down) Move Down', description: 'Try this account later' });
  items.push({ action: 'remove', label: '$(trash) Remove', description: 'Forget the account and its token' });
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
    { title: 'Agate: Manage Accounts', placeHolder: 'Choose an account' },
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
        description: left === undefined ? 'no quota reported' : `${percent(left)} left`,
        detail: reset ? `resets ${formatResetIn(reset, now)}` : undefined,
      };
    }),
    { title: `Agate: quota of ${fresh.email}`, placeHolder: fresh.quotaError ?? 'What is left per model' },
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
        const signIn = 'Sign In with Google';
        const choice = await vscode.window.showErrorMessage(`Agate: ${account.email} needs a new sign-in: ${messageOf(err)}`, signIn);
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
        const remove = 'Remove';
        const answer = await vscode.window.showWarningMessage(
          `Remove ${account.email} from Agate? Its refresh token is deleted from the editor's secret storage.`,
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
      if (!account) throw new Error(`no account "${args.account}"`);
      // The caller chose the action already: no confirmation step.
      return await runAction(service, account, args.action, true);
    }
    if (accounts.length === 0) {
      const add = 'Add Account';
      if ((await vscode.window.showInformationMessage('Agate has no accounts yet.', add)) === add) return await addAccountWithGoogle(service);
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
    void vscode.window.showErrorMessage(`Agate: ${messageOf(err)}`);
    return undefined;
  }
}
