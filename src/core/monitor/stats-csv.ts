/**
 * RFC 4180 CSV. Text cells that a spreadsheet would run as a formula (a client
 * can name its model `=HYPERLINK(…)`) get a leading apostrophe (OWASP CSV injection).
 */
export function toCsv(rows: Array<Array<string | number>>): string {
  return rows.map((row) => row.map(cellOf).join(',')).join('\r\n') + '\r\n';
}

function cellOf(value: string | number): string {
  if (typeof value === 'number') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * US dollars as plain decimals: `String()` writes small amounts as `3e-7`, which
 * not every reader takes for a number. Ten places keep a single token at $0.01/M.
 */
export function usdCell(usd: number): string {
  if (usd === 0) return '0';
  return usd.toFixed(10).replace(/\.?0+$/, '');
}
