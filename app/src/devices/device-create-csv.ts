/**
 * The device import's CSV, read in the browser only to preview it (the server reads and checks it again, and its
 * verdict is what counts), and the CSV files the dialog offers for download: the template and the secrets.
 */
import { CSV_COLUMNS, type CreatedDevice } from './device-list-api.ts';
import { t } from './devices.messages.ts';

/** One record of a CSV file with the line it ends on (1-based, as the server numbers rows). */
export interface CsvRecord {
  line: number;
  cells: string[];
}

/**
 * RFC 4180 records: quoted cells may hold commas, quotes (`""`) and line breaks; blank lines are skipped and cells
 * trimmed, as the server does. An unterminated quote ends at the end of the text (the server will say so).
 */
export function readCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRecord = () => {
    cells.push(cell.trim());
    if (cells.length > 1 || cells[0] !== '') records.push({ line, cells });
    cells = [];
    cell = '';
  };
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        cell += c;
      }
    } else if (c === '"' && cell.trim() === '') {
      quoted = true;
      cell = '';
    } else if (c === ',') {
      cells.push(cell.trim());
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
    } else cell += c;
  }
  if (cell !== '' || cells.length > 0) endRecord();
  return records;
}

/** What the preview says about a CSV before it is sent. */
export interface CsvPreview {
  header: string[];
  /** Header names the server does not know, or a missing productKey column. */
  headerProblems: string[];
  rows: { line: number; values: Record<string, string> }[];
}

export function previewCsv(text: string): CsvPreview | undefined {
  const [header, ...body] = readCsv(text);
  if (!header) return undefined;
  const known: readonly string[] = CSV_COLUMNS;
  const headerProblems = header.cells
    .filter((name) => !known.includes(name))
    .map((name) => t('csv.unknownColumn', { name, columns: CSV_COLUMNS.join(', ') }));
  if (!header.cells.includes('productKey')) headerProblems.push(t('csv.noHeader'));
  return {
    header: header.cells,
    headerProblems,
    rows: body.map(({ line, cells }) => ({
      line,
      values: Object.fromEntries(header.cells.map((name, i) => [name, cells[i] ?? ''])),
    })),
  };
}

/** A cell quoted when it needs to be. */
function csvCell(value: string): string {
  return /[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replace(/"/g, '""')}"` : value;
}

export function toCsv(rows: readonly (readonly string[])[]): string {
  return rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** The example the dialog shows and the template download holds, for a product key. */
export function csvTemplate(productKey: string): string {
  return toCsv([
    [...CSV_COLUMNS],
    [productKey, 'room-101', 'Meeting room, 1st floor', 'building=north;floor=1'],
    [productKey, 'room-102', '', 'building=north'],
  ]);
}

/** The created devices with their secrets, for the user to keep: they are shown only once. */
export function secretsCsv(devices: readonly CreatedDevice[]): string {
  return toCsv([['productKey', 'deviceName', 'deviceSecret'], ...devices.map((d) => [d.productKey, d.deviceName, d.deviceSecret])]);
}
