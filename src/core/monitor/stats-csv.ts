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
