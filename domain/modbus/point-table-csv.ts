/**
 * A point table as CSV, the form vendors' register maps and spreadsheets come in, so the product screens' editor can
 * import and export it. Browser-safe (no csv-parse, which needs Node's streams): the format is one header row and
 * one point per row, RFC 4180 quoting.
 */
import { checkPointTable, type ModbusPoint } from './point-table.ts';

/** The columns, in the order export writes them. */
export const POINT_TABLE_CSV_COLUMNS = [
  'property', 'function', 'address', 'count', 'type', 'byteOrder', 'wordOrder', 'scale', 'offset', 'writable',
] as const;
type Column = (typeof POINT_TABLE_CSV_COLUMNS)[number];

const REQUIRED: readonly Column[] = ['property', 'function', 'address', 'type'];
const NUMERIC: ReadonlySet<Column> = new Set(['function', 'address', 'count', 'scale', 'offset']);
const DECIMAL = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

/** One thing wrong with an imported CSV; `line` is the file's line (1 is the header) where the row starts. */
export interface CsvProblem {
  line: number;
  /** The column at fault; empty for the row or the file as a whole. */
  field: string;
  message: string;
}

export type PointTableCsvOutcome = { ok: true; points: ModbusPoint[] } | { ok: false; problems: CsvProblem[] };

/** The table as CSV with every column written out, so what a spreadsheet shows is what the poller does. */
export function pointTableToCsv(points: readonly ModbusPoint[]): string {
  const rows = points.map((point) => POINT_TABLE_CSV_COLUMNS.map((column) => csvCell(String(point[column]))).join(','));
  return `${[POINT_TABLE_CSV_COLUMNS.join(','), ...rows].join('\n')}\n`;
}

/**
 * Reads a point table from CSV: a header naming columns (any order; `property`, `function`, `address` and `type`
 * required), then one point per row; an empty cell takes the field's default. Every problem is listed with its line,
 * then the table is checked as a whole (overlaps, duplicate properties) like one sent as JSON.
 */
export function pointTableFromCsv(text: string): PointTableCsvOutcome {
  const records = csvRecords(text.replace(/^\uFEFF/, ''));
  if ('problem' in records) return { ok: false, problems: [records.problem] };
  const [header, ...body] = records.rows;
  if (!header) return { ok: false, problems: [{ line: 1, field: '', message: 'line 1: the file is empty; it needs a header row' }] };
  const problems: CsvProblem[] = [];
  const columns = header.cells.map((cell) => cell.trim());
  for (const column of columns.filter((column) => !(POINT_TABLE_CSV_COLUMNS as readonly string[]).includes(column))) {
    problems.push({ line: header.line, field: column, message: `line ${header.line}: "${column}" is not a column; the columns are ${POINT_TABLE_CSV_COLUMNS.join(', ')}` });
  }
  for (const column of new Set(columns.filter((column, i) => columns.indexOf(column) !== i))) {
    problems.push({ line: header.line, field: column, message: `line ${header.line}: the column "${column}" appears twice` });
  }
  for (const column of REQUIRED.filter((required) => !columns.includes(required))) {
    problems.push({ line: header.line, field: column, message: `line ${header.line}: the column "${column}" is missing` });
  }
  if (problems.length > 0) return { ok: false, problems };

  const inputs = body.map(({ cells, line }) => {
    const input: Record<string, unknown> = {};
    if (cells.length !== columns.length) {
      problems.push({ line, field: '', message: `line ${line}: has ${cells.length} cells; the header has ${columns.length}` });
    }
    columns.forEach((column, i) => {
      const cell = cells[i]?.trim();
      if (cell === undefined || cell === '') return;
      const value = cellValue(column as Column, cell);
      if (value === undefined) {
        const expected = column === 'writable' ? 'true or false' : 'a number';
        problems.push({ line, field: column, message: `line ${line}: ${column} must be ${expected}, not "${cell}"` });
      } else input[column] = value;
    });
    return input;
  });
  if (problems.length > 0) return { ok: false, problems };
  const outcome = checkPointTable(inputs);
  if (outcome.ok) return outcome;
  return {
    ok: false,
    problems: outcome.problems.map((problem) => {
      const line = body[problem.index]?.line ?? 1;
      return { line, field: problem.field, message: `line ${line}: ${problem.message}` };
    }),
  };
}

/** A cell as the point table field wants it; undefined when it cannot be one. Strings are left to the schema. */
function cellValue(column: Column, cell: string): unknown {
  if (NUMERIC.has(column)) return DECIMAL.test(cell) ? Number(cell) : undefined;
  if (column === 'writable') {
    const word = cell.toLowerCase();
    if (word === 'true' || word === '1' || word === 'yes') return true;
    if (word === 'false' || word === '0' || word === 'no') return false;
    return undefined;
  }
  return cell;
}

function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** RFC 4180 records with the line each starts on; blank lines are skipped. */
function csvRecords(text: string): { rows: { cells: string[]; line: number }[] } | { problem: CsvProblem } {
  const rows: { cells: string[]; line: number }[] = [];
  let cells: string[] = [];
  let cell = '';
  let line = 1;
  let start = 1;
  let quoted = false;
  let quoteLine = 0;
  const endRecord = () => {
    cells.push(cell);
    if (cells.length > 1 || cells[0]!.trim() !== '') rows.push({ cells, line: start });
    cells = [];
    cell = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false;
      else { if (c === '\n') line++; cell += c; }
    } else if (c === '"' && cell.trim() === '') { quoted = true; quoteLine = line; cell = ''; }
    else if (c === ',') { cells.push(cell); cell = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
    } else cell += c;
  }
  if (quoted) return { problem: { line: quoteLine, field: '', message: `line ${quoteLine}: a quoted cell is never closed` } };
  if (cell !== '' || cells.length > 0) endRecord();
  return { rows };
}
