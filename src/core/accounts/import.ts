/**
 * Bulk import of refresh tokens from a JSON file: our own format (an array of
 * `{email?, refresh_token}`) and the simple exports of peer tools — objects
 * with `refreshToken`, `{accounts: [...]}` wrappers, tokens nested under
 * `token`, or bare token strings.
 */

export interface ImportEntry {
  /** Position in the file, for reporting. */
  index: number;
  /** As the file says; the account's real email comes from userinfo. */
  email?: string;
  refreshToken: string;
}

export interface ParsedImport {
  entries: ImportEntry[];
  /** Entries without a usable token, by position in the file. */
  skipped: Array<{ index: number; reason: string }>;
}

export class ImportFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportFormatError';
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const nonEmpty = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

function tokenOf(entry: Record<string, unknown>): string | undefined {
  const direct = nonEmpty(entry.refresh_token) ?? nonEmpty(entry.refreshToken);
  if (direct) return direct;
  const nested = entry.token;
  return isRecord(nested) ? (nonEmpty(nested.refresh_token) ?? nonEmpty(nested.refreshToken)) : undefined;
}

function emailOf(entry: Record<string, unknown>): string | undefined {
  const nested = entry.token;
  return nonEmpty(entry.email) ?? (isRecord(nested) ? nonEmpty(nested.email) : undefined);
}

/** The list of entries, whatever wrapper the file uses. */
function listOf(document: unknown): unknown[] {
  if (Array.isArray(document)) return document;
  if (isRecord(document)) {
    if (Array.isArray(document.accounts)) return document.accounts;
    if (tokenOf(document)) return [document];
  }
  throw new ImportFormatError('Expected a JSON array of {"email", "refresh_token"} objects (or an {"accounts": [...]} wrapper)');
}

/** Accepts the file's text or its parsed JSON. Duplicate tokens are imported once. */
export function parseAccountImport(input: unknown): ParsedImport {
  let document = input;
  if (typeof input === 'string') {
    try {
      document = JSON.parse(input);
    } catch (err) {
      throw new ImportFormatError(`The import file is not valid JSON: ${(err as Error).message}`);
    }
  }
  const entries: ImportEntry[] = [];
  const skipped: ParsedImport['skipped'] = [];
  const seen = new Set<string>();
  listOf(document).forEach((item, index) => {
    const refreshToken = typeof item === 'string' ? nonEmpty(item) : isRecord(item) ? tokenOf(item) : undefined;
    if (!refreshToken) {
      skipped.push({ index, reason: 'no refresh token' });
      return;
    }
    if (seen.has(refreshToken)) {
      skipped.push({ index, reason: 'duplicate refresh token' });
      return;
    }
    seen.add(refreshToken);
    const email = isRecord(item) ? emailOf(item) : undefined;
    entries.push(email ? { index, email, refreshToken } : { index, refreshToken });
  });
  return { entries, skipped };
}
