import * as vscode from 'vscode';
import type { AdminAccount } from '../core/admin/types';
import {
  bestAccount,
  describeFamilies,
  FAMILY_TITLES,
  findInstallations,
  IdeSwitchError,
  inspectInstallation,
  MODEL_FAMILIES,
  prepareDeferredSwitch,
  SCORE_EXPLANATION,
  scoreAccounts,
  startDeferredSwitch,
  switchIdeAccount,
  systemProcessTable,
  undoIdeSwitch,
  type AccountScore,
  type InstallationReport,
  type ModelFamilyId,
} from '../core/ide';
import { coreText } from './core-messages';
import type { GatewayService } from './gateway-service';

/**
 * "Agate: Switch Antigravity IDE Account…" and "…to the Best Account": the
 * editor's face of core/ide. The logic (finding the IDE, scoring, closing,
 * writing, undo) is the core's; this file asks and tells.
 */

export interface IdeSwitchArgs {
  /** Switch to this account without asking which (the dashboard's card button). */
  accountId?: string;
  /** The IDE's data folder, when it is not found by itself. */
  userDataDir?: string;
  /** Model families the score counts; default: the last choice, else all. */
  families?: ModelFamilyId[];
  /** Close a running IDE without the modal question (tests, a caller that asked already). */
  closeRunning?: boolean;
  /** With `accountId`: the caller has confirmed the switch (else the editor asks, as for a click on a card). */
  confirmed?: boolean;
}

export interface IdeSwitchOutcome {
  /** The accounts as offered, best first, with their scores. */
  offered: Array<{ email: string; score: number; eligible: boolean; current: boolean; detail: string }>;
  switched?: { email: string; previousEmail?: string; format: string; backupPath: string; relaunched: boolean };
  /** The IDE hosts this extension: a helper switches once the IDE has quit. */
  deferred?: { email: string; logFile: string };
}

const FAMILIES_KEY = 'agate.ide.families';
const FAMILIES_ITEM = 'families';

async function target(args: IdeSwitchArgs): Promise<InstallationReport | undefined> {
  const table = systemProcessTable;
  const installations = await findInstallations({ table, ...(args.userDataDir ? { userDataDir: args.userDataDir } : {}) });
  const reports = await Promise.all((args.userDataDir ? installations.slice(0, 1) : installations).map((i) => inspectInstallation(i, { table })));
  const found = reports.find((r) => r.state === 'signed-in');
  if (found) return found;
  const why = reports.map((r) => `${r.installation.userDataDir}: ${r.reason ? coreText(r.reason) : r.state}`).join(' · ');
  void vscode.window.showErrorMessage(vscode.l10n.t('Agate found no Antigravity IDE it can switch. {0}', why));
  return undefined;
}

/** `Claude 80% · Gemini Pro 100% (refilled)` in the editor's language. */
const familiesText = (score: AccountScore): string => describeFamilies(score).map(coreText).join(' · ');

const offered = (scores: AccountScore[]): IdeSwitchOutcome['offered'] =>
  scores.map((s) => ({ email: s.email, score: s.score, eligible: s.eligible, current: s.current, detail: familiesText(s) }));

async function chooseFamilies(context: vscode.ExtensionContext, current: ModelFamilyId[]): Promise<ModelFamilyId[]> {
  const picked = await vscode.window.showQuickPick(
    MODEL_FAMILIES.map((family) => ({ label: FAMILY_TITLES[family], family, picked: current.includes(family) })),
    { canPickMany: true, title: vscode.l10n.t('Score accounts by the quota of these model families') },
  );
  if (!picked || picked.length === 0) return current;
  const families = picked.map((p) => p.family);
  await context.globalState.update(FAMILIES_KEY, families);
  return families;
}

type AccountItem = vscode.QuickPickItem & { accountId?: string; kind2?: typeof FAMILIES_ITEM };

/** The pick of accounts, best first, each with its score and why. */
async function pickAccount(
  context: vscode.ExtensionContext,
  accounts: AdminAccount[],
  families: ModelFamilyId[],
  currentEmail: string | undefined,
): Promise<{ accountId?: string; scores: AccountScore[] }> {
  for (;;) {
    const scores = scoreAccounts(accounts, families, Date.now(), currentEmail);
    const best = bestAccount(scores);
    const items: AccountItem[] = [
      ...scores.map((s): AccountItem => ({
        label: `${s === best ? '$(star-full) ' : ''}${s.email}`,
        description:
          (s.eligible ? vscode.l10n.t('score {0}', s.score) : vscode.l10n.t('not a candidate: {0}', s.reason ? coreText(s.reason) : '')) +
          (s.current ? vscode.l10n.t(' · the IDE uses it now') : ''),
        detail: familiesText(s),
        accountId: s.accountId,
      })),
      { label: '', kind: vscode.QuickPickItemKind.Separator },
      {
        label: `$(settings-gear) ${vscode.l10n.t('Score by: {0}', families.map((f) => FAMILY_TITLES[f]).join(', '))}`,
        description: vscode.l10n.t('change…'),
        detail: coreText(SCORE_EXPLANATION),
        kind2: FAMILIES_ITEM,
      },
    ];
    const picked = await vscode.window.showQuickPick(items, {
      title: currentEmail ? vscode.l10n.t('Switch the Antigravity IDE (now {0}) to…', currentEmail) : vscode.l10n.t('Switch the Antigravity IDE to…'),
      placeHolder: vscode.l10n.t('Accounts by score: the quota left on the family that runs out first'),
      matchOnDetail: true,
    });
    if (!picked) return { scores };
    if (picked.kind2 === FAMILIES_ITEM) {
      families = await chooseFamilies(context, families);
      continue;
    }
    return { accountId: picked.accountId, scores };
  }
}

/** A refused switch or undo (the IDE kept running, unusable credentials) is said in the editor's language; nothing changed. */
async function sayingRefusals<T>(run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run();
  } catch (err) {
    if (!(err instanceof IdeSwitchError)) throw err;
    void vscode.window.showErrorMessage(coreText(err.detail));
    return undefined;
  }
}

export function switchIdeAccountCommand(
  service: GatewayService,
  context: vscode.ExtensionContext,
  mode: 'pick' | 'best',
  args: IdeSwitchArgs = {},
): Promise<IdeSwitchOutcome | undefined> {
  return sayingRefusals(() => pickAndSwitch(service, context, mode, args));
}

async function pickAndSwitch(
  service: GatewayService,
  context: vscode.ExtensionContext,
  mode: 'pick' | 'best',
  args: IdeSwitchArgs,
): Promise<IdeSwitchOutcome | undefined> {
  const report = await target(args);
  if (!report) return undefined;
  const admin = await service.admin();
  const accounts = await admin.call('accounts');
  const families = args.families ?? context.globalState.get<ModelFamilyId[]>(FAMILIES_KEY) ?? [...MODEL_FAMILIES];
  const currentEmail = report.signIn?.email;
  let accountId = args.accountId;
  let scores = scoreAccounts(accounts, families, Date.now(), currentEmail);
  if (!accountId && mode === 'best') {
    const best = bestAccount(scores);
    if (!best) {
      void vscode.window.showWarningMessage(vscode.l10n.t('No pool account qualifies for the Antigravity IDE. {0}', coreText(SCORE_EXPLANATION)));
      return { offered: offered(scores) };
    }
    accountId = best.accountId;
  } else if (!accountId) {
    const picked = await pickAccount(context, accounts, families, currentEmail);
    scores = picked.scores;
    accountId = picked.accountId;
    if (!accountId) return { offered: offered(scores) };
  }
  const chosen = scores.find((s) => s.accountId === accountId);
  if (args.accountId && !args.confirmed) {
    const go = vscode.l10n.t('Switch');
    const email = chosen?.email ?? accounts.find((a) => a.id === accountId)?.email ?? accountId;
    const answer = await vscode.window.showInformationMessage(
      vscode.l10n.t(
        'Sign the Antigravity IDE{0} into {1}{2}? Agate keeps a backup of its state, and Undo restores it.',
        currentEmail ? vscode.l10n.t(' (now {0})', currentEmail) : '',
        email,
        chosen?.eligible ? vscode.l10n.t(' (score {0}: {1})', chosen.score, familiesText(chosen)) : '',
      ),
      { modal: true },
      go,
    );
    if (answer !== go) return { offered: offered(scores) };
  }
  const credentials = await admin.call('ideCredentials', { id: accountId });
  const { installation } = report;
  const name = installation.product;

  if (report.hostsUs) {
    // This window is the IDE being switched: it cannot close itself and keep running the switch.
    const go = vscode.l10n.t('Quit and Switch');
    const answer = await vscode.window.showWarningMessage(
      vscode.l10n.t(
        'Agate runs inside {0}, so it cannot close it itself. When you choose "{1}", a small helper starts, {0} quits, and the helper then signs it in as {2}, keeps a backup of its state, and starts it again. Unsaved files make the IDE ask before it quits.',
        name,
        go,
        credentials.email,
      ),
      { modal: true },
      go,
    );
    if (answer !== go) return { offered: offered(scores) };
    const job = await prepareDeferredSwitch(installation, credentials, { table: systemProcessTable });
    const helper = startDeferredSwitch(job, { execPath: process.execPath, script: vscode.Uri.joinPath(context.extensionUri, 'dist', 'ide-helper.js').fsPath });
    void vscode.commands.executeCommand('workbench.action.quit');
    return { offered: offered(scores), deferred: { email: credentials.email, logFile: helper.logFile } };
  }

  const result = await switchIdeAccount({
    installation,
    credentials,
    table: systemProcessTable,
    confirmClose: async ({ running }) => {
      if (args.closeRunning) return true;
      const close = vscode.l10n.t('Close {0} and Switch', name);
      const answer = await vscode.window.showWarningMessage(
        vscode.l10n.t(
          '{0} is running (PIDs {1}). Agate closes it like Quit (unsaved files make it ask first), waits until every process of it is gone, signs it in as {2}, and starts it again.',
          name,
          running.join(', '),
          credentials.email,
        ),
        { modal: true },
        close,
      );
      return answer === close;
    },
  });
  const undo = vscode.l10n.t('Undo');
  void vscode.window
    .showInformationMessage(
      vscode.l10n.t(
        '{0} is now signed in as {1}{2}{3}.{4}',
        name,
        result.email,
        result.previousEmail ? vscode.l10n.t(' (was {0})', result.previousEmail) : '',
        chosen ? vscode.l10n.t(', score {0}', chosen.score) : '',
        result.relaunched ? vscode.l10n.t(' It was started again.') : '',
      ),
      undo,
    )
    .then((answer) => (answer === undo ? undoIdeSwitchCommand({ ...(args.userDataDir ? { userDataDir: args.userDataDir } : {}) }) : undefined));
  return {
    offered: offered(scores),
    switched: {
      email: result.email,
      format: result.format,
      backupPath: result.backupPath,
      relaunched: result.relaunched,
      ...(result.previousEmail ? { previousEmail: result.previousEmail } : {}),
    },
  };
}

export function undoIdeSwitchCommand(args: Pick<IdeSwitchArgs, 'userDataDir' | 'closeRunning'> = {}): Promise<{ restoredEmail?: string } | undefined> {
  return sayingRefusals(() => undoLastSwitch(args));
}

async function undoLastSwitch(args: Pick<IdeSwitchArgs, 'userDataDir' | 'closeRunning'>): Promise<{ restoredEmail?: string } | undefined> {
  const table = systemProcessTable;
  const installations = await findInstallations({ table, ...(args.userDataDir ? { userDataDir: args.userDataDir } : {}) });
  const reports = await Promise.all(installations.map((i) => inspectInstallation(i, { table })));
  const report = reports.find((r) => r.undo);
  if (!report) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No Antigravity IDE account switch by Agate to undo.'));
    return undefined;
  }
  if (report.hostsUs) {
    void vscode.window.showWarningMessage(vscode.l10n.t('Agate runs inside {0}: quit it and run "agate ide undo" in a terminal.', report.installation.product));
    return undefined;
  }
  const result = await undoIdeSwitch({
    installation: report.installation,
    table,
    confirmClose: async ({ running }) =>
      args.closeRunning === true ||
      (await vscode.window.showWarningMessage(
        vscode.l10n.t('{0} is running (PIDs {1}). Close it, undo the switch, and start it again?', report.installation.product, running.join(', ')),
        { modal: true },
        vscode.l10n.t('Close and Undo'),
      )) === vscode.l10n.t('Close and Undo'),
  });
  void vscode.window.showInformationMessage(
    result.restoredEmail
      ? vscode.l10n.t("{0}'s state is back as before the switch ({1}).", report.installation.product, result.restoredEmail)
      : vscode.l10n.t("{0}'s state is back as before the switch.", report.installation.product),
  );
  return result.restoredEmail ? { restoredEmail: result.restoredEmail } : {};
}
