import type { RequestRecord } from './types';

/** `alice.smith@gmail.com` → `al***@gmail.com`: enough to tell accounts apart on a shared screen. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  const local = at < 0 ? email : email.slice(0, at);
  const domain = at < 0 ? '' : email.slice(at);
  return `${local.slice(0, local.length > 3 ? 2 : 1)}***${domain}`;
}

/** A copy of the record with every account email masked, for screens that hide identities. */
export function maskRecord(record: RequestRecord): RequestRecord {
  const masked: RequestRecord = {
    ...record,
    attempts: record.attempts.map((attempt) => ({ ...attempt, accountEmail: maskEmail(attempt.accountEmail) })),
  };
  if (record.accountEmail !== undefined) masked.accountEmail = maskEmail(record.accountEmail);
  return masked;
}
