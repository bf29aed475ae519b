import fs from 'node:fs';
import type { AdminAccount, AdminEvent } from '../../core/admin/types';
import { loadConfig } from '../../core/config/load';
import { configSources, parse, UsageError } from '../args';
import { openDataDir, type DataDirSession } from '../data-dir-access';
import { l10n } from '../l10n';

const percent = (fraction: number | undefined) => (fraction === undefined ? '?' : `${Math.round(fraction * 100)}%`);

function describe(account: AdminAccount): string {
  const state = account.state + (account.stateReason ? ` (${account.stateReason})` : '');
  const quota = account.models
    .filter((model) => model.remainingFraction !== undefined)
    .map((model) => `${model.model} ${percent(model.remainingFraction)}${model.limit ? l10n.t(' limited') : ''}`)
    .join(', ');
  const lines = [`${account.email}  [${account.id}]  ${account.plan}${account.tier ? ` / ${account.tier}` : ''}  ${state}`];
  if (account.actionUrl) lines.push(`    ${l10n.t('action needed: {0}', account.actionUrl)}`);
  if (quota) lines.push(`    ${l10n.t('quota: {0}', quota)}`);
  if (account.quotaError) lines.push(`    ${l10n.t('quota error: {0}', account.quotaError)}`);
  return lines.join('\n');
}

async function find(session: DataDirSession, ref: string | undefined): Promise<AdminAccount> {
  if (!ref) throw new UsageError(l10n.t('name the account by email or id'));
  const account = (await session.call('accounts')).find((candidate) => candidate.id === ref || candidate.email.toLowerCase() === ref.toLowerCase());
  if (!account) throw new UsageError(l10n.t('no account "{0}" (see "agate accounts list")', ref));
  return account;
}

/** Resolves with the first account the owner reports that was not in `before` (or is `email`), after a sign-in. */
function nextSignedIn(session: DataDirSession, before: AdminAccount[], email: string | undefined): { account: Promise<AdminAccount>; stop: () => void } {
  let stop = () => {};
  const account = new Promise<AdminAccount>((resolve) => {
    const known = new Set(before.map((candidate) => candidate.id));
    stop = session.subscribe((event: AdminEvent) => {
      if (event.type !== 'account') return;
      if (!known.has(event.account.id) || (email && event.account.email.toLowerCase() === email.toLowerCase())) resolve(event.account);
    });
  });
  return { account, stop: () => stop() };
}

/**
 * `agate accounts …`: manages the pool of the data dir — through the gateway
 * that serves it when one runs (the change applies at once), else directly.
 */
export async function accountsCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    'refresh-token': { type: 'string' },
    email: { type: 'string' },
    'sign-in': { type: 'boolean' },
    'login-hint': { type: 'string' },
  });
  const [action = 'list', ref, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(l10n.t('unexpected arguments: {0}', extra.join(' ')));
  const known = ['list', 'add', 'import', 'remove', 'enable', 'disable', 'reauth', 'refresh'];
  if (!known.includes(action)) throw new UsageError(l10n.t('unknown accounts action "{0}"', action));
  const token = values['refresh-token'] ?? (values['sign-in'] ? undefined : process.env.AGATE_REFRESH_TOKEN);
  if (action === 'add' && !token && !values['sign-in']) throw new UsageError(l10n.t('accounts add needs --sign-in or --refresh-token TOKEN'));
  if (action === 'import' && !ref) throw new UsageError(l10n.t('accounts import needs a JSON file'));
  const config = loadConfig(configSources(values));
  const session = await openDataDir(config);
  try {
    switch (action) {
      case 'list': {
        const accounts = await session.call('accounts');
        process.stdout.write(
          accounts.length ? accounts.map(describe).join('\n') + '\n' : l10n.t('No accounts. Add one with "agate accounts add --sign-in".') + '\n',
        );
        return 0;
      }
      case 'add': {
        const before = await session.call('accounts');
        if (token) {
          const account = await session.call('addAccount', { refreshToken: token.trim(), ...(values.email ? { expectedEmail: values.email } : {}) });
          const created = !before.some((existing) => existing.id === account.id);
          process.stdout.write(`${created ? l10n.t('Added {0}', describe(account)) : l10n.t('Updated {0}', describe(account))}\n`);
          return 0;
        }
        const hint = values['login-hint'] ?? values.email;
        const signedIn = nextSignedIn(session, before, hint);
        try {
          const { authorizeUrl, redirectUri } = await session.call('beginSignIn', hint ? { loginHint: hint } : {});
          process.stdout.write(
            `${l10n.t('Open this URL in a browser on this machine and sign in:')}\n\n  ${authorizeUrl}\n\n${l10n.t('Waiting for the redirect to {0} …', redirectUri)}\n`,
          );
          process.stdout.write(`${l10n.t('Added {0}', describe(await signedIn.account))}\n`);
        } finally {
          signedIn.stop();
        }
        return 0;
      }
      case 'import': {
        const report = await session.call('importAccounts', { content: fs.readFileSync(ref!, 'utf8') });
        for (const account of report.added) process.stdout.write(`added    ${account.email}\n`);
        for (const account of report.updated) process.stdout.write(`updated  ${account.email}\n`);
        for (const failure of report.failed) process.stdout.write(`failed   #${failure.index}${failure.email ? ` ${failure.email}` : ''}: ${failure.error}\n`);
        return report.failed.length > 0 ? 1 : 0;
      }
      case 'remove': {
        const account = await find(session, ref);
        await session.call('accountAction', { id: account.id, action: 'remove' });
        process.stdout.write(`${l10n.t('Removed {0}', account.email)}\n`);
        return 0;
      }
      case 'enable':
      case 'disable': {
        const account = await find(session, ref);
        const accounts = await session.call('accountAction', { id: account.id, action });
        process.stdout.write(describe(accounts.find((candidate) => candidate.id === account.id) ?? account) + '\n');
        return 0;
      }
      case 'reauth': {
        const account = await find(session, ref);
        const refreshToken = values['refresh-token'];
        process.stdout.write(describe(await session.call('reauthenticate', { id: account.id, ...(refreshToken ? { refreshToken } : {}) })) + '\n');
        return 0;
      }
      default: {
        // refresh: one account, or every account that can serve.
        const all = ref ? [] : await session.call('accounts');
        if (!ref && all.length === 0) {
          process.stdout.write(l10n.t('No accounts to refresh. Add one with "agate accounts add --sign-in".') + '\n');
          return 0;
        }
        const targets = ref ? [await find(session, ref)] : all.filter((account) => account.state === 'active');
        if (targets.length === 0) {
          process.stdout.write(l10n.t('No active account to refresh (each needs sign-in, is forbidden or disabled):') + '\n');
          process.stdout.write(all.map(describe).join('\n') + '\n');
          return 1;
        }
        for (const account of targets) await session.call('accountAction', { id: account.id, action: 'refreshQuota' });
        process.stdout.write((await session.call('accounts')).map(describe).join('\n') + '\n');
        return 0;
      }
    }
  } finally {
    await session.close();
  }
}
