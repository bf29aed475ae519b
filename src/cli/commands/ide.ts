import path from 'node:path';
import readline from 'node:readline/promises';
import type { AdminAccount } from '../../core/admin/types';
import { loadConfig } from '../../core/config/load';
import {
  bestAccount,
  describeFamilies,
  findInstallations,
  inspectInstallation,
  parseFamilies,
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
} from '../../core/ide';
import { configSources, parse, UsageError } from '../args';
import { openDataDir } from '../data-dir-access';
import { l10n } from '../l10n';

/**
 * `agate ide status|switch [ACCOUNT|--best]|undo`: signs the Antigravity IDE
 * into a pool account (see core/ide and docs/antigravity-ide.md).
 */

const when = (ms: number | undefined) => (ms === undefined ? '?' : new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC');

/** Where an installation was found, in words (the environment variables' names as they are). */
function sourceText(source: InstallationReport['installation']['source']): string {
  switch (source) {
    case 'default':
      return l10n.t('standard location');
    case 'given':
      return l10n.t('given');
    case 'running':
      return l10n.t('running');
    case 'portable':
      return l10n.t('portable');
    default:
      return source;
  }
}

/** Why an installation cannot be switched, in a word. */
const STATE_WORDS = { missing: () => l10n.t('missing'), unsupported: () => l10n.t('unsupported'), unreadable: () => l10n.t('unreadable') } as const;

function describeInstallation(report: InstallationReport): string {
  const { installation } = report;
  const lines = [`${installation.product}  ${installation.userDataDir}  (${sourceText(installation.source)})`];
  if (report.state === 'signed-in') {
    const signIn = report.signIn;
    const format = signIn?.format === 'unified' ? l10n.t('unified-state format (IDE 1.16.5 or later)') : l10n.t('old format (IDE before 1.16.5)');
    lines.push(
      `    ${l10n.t('signed in as {0}, {1}; its token expires {2}', signIn?.email ?? l10n.t('(email unknown)'), format, when(signIn?.tokenExpiresAt))}`,
    );
  } else {
    lines.push(`    ${l10n.t('{0}: {1}', STATE_WORDS[report.state](), report.reason ? l10n.message(report.reason) : '')}`);
  }
  if (report.running.length > 0) {
    const pids = report.running.join(', ');
    lines.push(`    ${report.hostsUs ? l10n.t('running (PIDs {0}), and this terminal belongs to it', pids) : l10n.t('running (PIDs {0})', pids)}`);
  }
  if (report.undo) {
    const previous = report.undo.previousEmail ?? l10n.t('the previous sign-in');
    lines.push(`    ${l10n.t('"agate ide undo" puts back {0} (switched to {1} at {2})', previous, report.undo.newEmail, when(report.undo.createdAt))}`);
  }
  return lines.join('\n');
}

/** `Claude 80% · Gemini Pro 100% (refilled)` in the user's language. */
const familiesText = (score: AccountScore): string => describeFamilies(score).map(l10n.message).join(' · ');

function describeScores(scores: AccountScore[]): string {
  if (scores.length === 0) return l10n.t('No accounts in the pool. Add one with "agate accounts add --sign-in".');
  const best = bestAccount(scores);
  return scores
    .map((s) => {
      const mark = s === best ? '→' : ' ';
      const tail = s.current ? l10n.t(' (the IDE uses it now)') : s.eligible || !s.reason ? '' : l10n.t(' (not a candidate: {0})', l10n.message(s.reason));
      return `${mark} ${String(s.eligible ? s.score : '–').padStart(3)}  ${s.email}  ${familiesText(s)}${tail}`;
    })
    .join('\n');
}

async function ask(question: string): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

function pickInstallation(
  reports: InstallationReport[],
  given: string | undefined,
  need: (r: InstallationReport) => boolean,
  what: string,
): InstallationReport {
  if (given) return reports[0];
  const found = reports.find(need);
  if (found) return found;
  const why = reports.map((r) => `  ${r.installation.userDataDir}: ${r.reason ? l10n.message(r.reason) : r.state}`).join('\n');
  throw new UsageError(`${what}\n${why}\n${l10n.t('(name one with --user-data-dir DIR)')}`);
}

function findAccount(accounts: AdminAccount[], ref: string): AdminAccount {
  const account = accounts.find((a) => a.id === ref || a.email.toLowerCase() === ref.toLowerCase());
  if (!account) throw new UsageError(l10n.t('no account "{0}" in the pool (see "agate accounts list")', ref));
  return account;
}

export async function ideCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    best: { type: 'boolean' },
    yes: { type: 'boolean', short: 'y' },
    'user-data-dir': { type: 'string' },
    families: { type: 'string' },
    'no-relaunch': { type: 'boolean' },
  });
  const [action = 'status', ref, ...extra] = positionals;
  if (!['status', 'switch', 'undo'].includes(action)) throw new UsageError(l10n.t('unknown ide action "{0}"', action));
  if (extra.length > 0 || (action !== 'switch' && ref)) throw new UsageError(l10n.t('unexpected arguments: {0}', [ref, ...extra].filter(Boolean).join(' ')));
  if (action === 'switch' && !ref === !values.best) throw new UsageError(l10n.t('ide switch needs an ACCOUNT (email or id) or --best, not both'));
  let families: ModelFamilyId[] = [];
  try {
    families = values.families ? parseFamilies(values.families) : [];
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const given = values['user-data-dir'] ? path.resolve(values['user-data-dir']) : undefined;
  const table = systemProcessTable;
  const installations = await findInstallations({ table, ...(given ? { userDataDir: given } : {}) });
  const reports = await Promise.all((given ? installations.slice(0, 1) : installations).map((i) => inspectInstallation(i, { table })));
  const config = loadConfig(configSources(values));

  const scoresFor = async (currentEmail: string | undefined) => {
    const session = await openDataDir(config);
    try {
      const accounts = await session.call('accounts');
      return { accounts, scores: scoreAccounts(accounts, families, Date.now(), currentEmail) };
    } finally {
      await session.close();
    }
  };

  if (action === 'status') {
    process.stdout.write(`${reports.map(describeInstallation).join('\n')}\n\n`);
    const current = reports.find((r) => r.state === 'signed-in')?.signIn?.email;
    const { scores } = await scoresFor(current);
    process.stdout.write(
      `${l10n.t('Pool accounts by score for the IDE ({0}):', families.length ? families.join(', ') : l10n.t('all model families'))}\n${describeScores(scores)}\n\n${l10n.message(SCORE_EXPLANATION)}\n`,
    );
    return 0;
  }

  const confirmClose = async ({ running }: { running: number[] }) => {
    if (values.yes) return true;
    if (!process.stdin.isTTY)
      throw new UsageError(l10n.t('the IDE is running (PIDs {0}): quit it first, or add --yes to let Agate close it', running.join(', ')));
    return ask(
      `${l10n.t('The IDE is running (PIDs {0}). Close it now (like Quit; unsaved files make it ask first) and start it again afterwards?', running.join(', '))} [y/N] `,
    );
  };

  if (action === 'undo') {
    const target = pickInstallation(reports, given, (r) => r.undo !== undefined, l10n.t('no Antigravity IDE installation with a switch to undo:'));
    const result = await undoIdeSwitch({ installation: target.installation, table, confirmClose, relaunch: !values['no-relaunch'] });
    process.stdout.write(
      (result.restoredEmail
        ? l10n.t('Restored {0} as it was before the switch (signed in as {1}).', target.installation.dbPath, result.restoredEmail)
        : l10n.t('Restored {0} as it was before the switch.', target.installation.dbPath)) +
        '\n' +
        (result.changedSince ? l10n.t('Note: the IDE had changed its state since the switch; those changes are undone too.') + '\n' : '') +
        (result.relaunched ? l10n.t('The IDE was started again.') + '\n' : ''),
    );
    return 0;
  }

  const target = pickInstallation(reports, given, (r) => r.state === 'signed-in', l10n.t('no Antigravity IDE installation that Agate can switch:'));
  if (target.state !== 'signed-in') throw new UsageError(`${target.installation.userDataDir}: ${target.reason ? l10n.message(target.reason) : target.state}`);
  const { accounts, scores } = await scoresFor(target.signIn?.email);
  let account: AdminAccount;
  if (values.best) {
    const best = bestAccount(scores);
    if (!best) throw new UsageError(`${l10n.t('no account qualifies:')}\n${describeScores(scores)}`);
    account = findAccount(accounts, best.accountId);
    process.stdout.write(l10n.t('Best account: {0}, score {1} ({2}).', best.email, best.score, familiesText(best)) + '\n');
  } else {
    account = findAccount(accounts, ref as string);
  }
  const session = await openDataDir(config);
  let credentials;
  try {
    credentials = { ...(await session.call('ideCredentials', { id: account.id })) };
  } finally {
    await session.close();
  }

  if (target.hostsUs) {
    // This terminal is the IDE's: closing the IDE would end this command. A helper finishes the job after it quits.
    const job = await prepareDeferredSwitch(target.installation, credentials, { table });
    const helper = startDeferredSwitch(job, { execPath: process.execPath, script: path.join(__dirname, 'ide-helper.js') });
    process.stdout.write(
      l10n.t('This terminal runs inside {0}, which must quit before its sign-in can change.', target.installation.product) +
        '\n' +
        l10n.t(
          'Quit the IDE now (File > Exit). A helper (PID {0}) then signs it in as {1}, keeps a backup, and starts it again.',
          String(helper.pid),
          credentials.email,
        ) +
        '\n' +
        l10n.t('It waits up to {0} minutes; its log: {1}', Math.round(job.waitMs / 60_000), helper.logFile) +
        '\n',
    );
    return 0;
  }
  const result = await switchIdeAccount({ installation: target.installation, credentials, table, confirmClose, relaunch: !values['no-relaunch'] });
  process.stdout.write(
    l10n.t(
      '{0} is now signed in as {1}{2}, {3}.',
      target.installation.product,
      result.email,
      result.previousEmail ? l10n.t(' (was {0})', result.previousEmail) : '',
      result.format === 'unified' ? l10n.t('unified-state format') : l10n.t('old format'),
    ) +
      '\n' +
      l10n.t('Backup: {0}    Undo: {1}', result.backupPath, `agate ide undo${given ? ` --user-data-dir "${given}"` : ''}`) +
      '\n' +
      (result.relaunched ? l10n.t('The IDE was started again.') + '\n' : result.closed ? '' : l10n.t('Start the IDE when you are ready.') + '\n'),
  );
  return 0;
}
