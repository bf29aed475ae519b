import fs from 'node:fs';
import type { AccountView } from '../../core/accounts';
import type { Agate } from '../../core/agate';
import { loadConfig } from '../../core/config/load';
import { configSources, parse, UsageError } from '../args';
import { createCliAgate } from '../host';

const percent = (fraction: number | undefined) => (fraction === undefined ? '?' : `${Math.round(fraction * 100)}%`);

function describe(account: AccountView): string {
  const state = account.state + (account.stateReason ? ` (${account.stateReason})` : '');
  const quota = account.models
    .filter((model) => model.remainingFraction !== undefined)
    .map((model) => `${model.id} ${percent(model.remainingFraction)}${model.limit ? ' limited' : ''}`)
    .join(', ');
  const lines = [`${account.email}  [${account.id}]  ${account.plan}${account.tier ? ` / ${account.tier}` : ''}  ${state}`];
  if (account.actionUrl) lines.push(`    action needed: ${account.actionUrl}`);
  if (quota) lines.push(`    quota: ${quota}`);
  if (account.quotaError) lines.push(`    quota error: ${account.quotaError}`);
  return lines.join('\n');
}

function find(agate: Agate, ref: string | undefined): AccountView {
  if (!ref) throw new UsageError('name the account by email or id');
  const account = agate.pool.list().find((candidate) => candidate.id === ref || candidate.email.toLowerCase() === ref.toLowerCase());
  if (!account) throw new UsageError(`no account "${ref}" (see "agate accounts list")`);
  return account;
}

/** `agate accounts …`: manages the pool of the data dir (the gateway may be running; it reads the same files at start). */
export async function accountsCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    'refresh-token': { type: 'string' },
    email: { type: 'string' },
    'sign-in': { type: 'boolean' },
    'login-hint': { type: 'string' },
  });
  const [action = 'list', ref, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
  const config = loadConfig(configSources(values));
  const agate = await createCliAgate(config);
  try {
    switch (action) {
      case 'list': {
        const accounts = agate.pool.list();
        process.stdout.write(accounts.length ? accounts.map(describe).join('\n') + '\n' : 'No accounts. Add one with "agate accounts add --sign-in".\n');
        return 0;
      }
      case 'add': {
        const token = values['refresh-token'] ?? (values['sign-in'] ? undefined : process.env.AGATE_REFRESH_TOKEN);
        if (token) {
          const { account, created } = await agate.pool.addByRefreshToken(token.trim(), { expectedEmail: values.email });
          process.stdout.write(`${created ? 'Added' : 'Updated'} ${describe(account)}\n`);
          return 0;
        }
        if (!values['sign-in']) throw new UsageError('accounts add needs --sign-in or --refresh-token TOKEN');
        const session = await agate.pool.beginSignIn({ loginHint: values['login-hint'] ?? values.email });
        process.stdout.write(`Open this URL in a browser on this machine and sign in:\n\n  ${session.authorizeUrl}\n\nWaiting for the redirect to ${session.redirectUri} …\n`);
        const account = await session.completion;
        process.stdout.write(`Added ${describe(account)}\n`);
        return 0;
      }
      case 'import': {
        if (!ref) throw new UsageError('accounts import needs a JSON file');
        const report = await agate.pool.importAccounts(fs.readFileSync(ref, 'utf8'));
        for (const account of report.added) process.stdout.write(`added    ${account.email}\n`);
        for (const account of report.updated) process.stdout.write(`updated  ${account.email}\n`);
        for (const failure of report.failed) process.stdout.write(`failed   #${failure.index}${failure.email ? ` ${failure.email}` : ''}: ${failure.error}\n`);
        return report.failed.length > 0 ? 1 : 0;
      }
      case 'remove': {
        const account = find(agate, ref);
        await agate.pool.remove(account.id);
        process.stdout.write(`Removed ${account.email}\n`);
        return 0;
      }
      case 'enable':
      case 'disable': {
        const account = find(agate, ref);
        const updated = await (action === 'enable' ? agate.pool.enable(account.id) : agate.pool.disable(account.id));
        process.stdout.write(describe(updated) + '\n');
        return 0;
      }
      case 'reauth': {
        const account = find(agate, ref);
        process.stdout.write(describe(await agate.pool.reauthenticate(account.id, { refreshToken: values['refresh-token'] })) + '\n');
        return 0;
      }
      case 'refresh': {
        await agate.pool.refreshQuota(ref ? find(agate, ref).id : undefined);
        process.stdout.write(agate.pool.list().map(describe).join('\n') + '\n');
        return 0;
      }
      default:
        throw new UsageError(`unknown accounts action "${action}"`);
    }
  } finally {
    await agate.close();
  }
}
