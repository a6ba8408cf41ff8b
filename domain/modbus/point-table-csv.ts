/**
 * A point table as CSV, the form vendors' register maps and spreadsheets come in, so the product screens' editor can
 * import and export it. Browser-safe (no csv-parse, which needs Node's streams): the format is one header row and
 * one point per row, RFC 4180 quoting.
 */
import { checkPointTableCoded, type CodedPointProblem, type ModbusPoint } from './point-table.ts';

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

/**
 * A {@link CsvProblem} with what it says as data, so a screen can say it in its own language: a stable `code` and its
 * `params` (text as the English message writes it); for `point` (a problem of the table's check), the point's problem.
 * `message` stays the English one: `line 3: ` and the code's English.
 */
export interface CodedCsvProblem extends CsvProblem {
  code: CsvProblemCode;
  params: CsvProblemParams;
  /** The point table's own problem, for code `point`. */
  point?: CodedPointProblem;
}

export type CsvProblemParams = Readonly<Record<string, string>>;

export type CodedPointTableCsvOutcome = { ok: true; points: ModbusPoint[] } | { ok: false; problems: CodedCsvProblem[] };

/** Every problem of a CSV file, by code, in English (without the "line 3: " the message starts with). */
const ENGLISH = {
  emptyFile: () => 'the file is empty; it needs a header row',
  notColumn: (p: CsvProblemParams) => `"${p.column}" is not a column; the columns are ${p.columns}`,
  duplicateColumn: (p: CsvProblemParams) => `the column "${p.column}" appears twice`,
  missingColumn: (p: CsvProblemParams) => `the column "${p.column}" is missing`,
  cellCount: (p: CsvProblemParams) => `has ${p.cells} cells; the header has ${p.header}`,
  cellNotNumber: (p: CsvProblemParams) => `${p.column} must be a number, not "${p.cell}"`,
  cellNotBoolean: (p: CsvProblemParams) => `${p.column} must be true or false, not "${p.cell}"`,
  unclosedQuote: () => 'a quoted cell is never closed',
  /** `message`: the point's problem in English (see CodedCsvProblem.point). */
  point: (p: CsvProblemParams) => `${p.message}`,
} satisfies Record<string, (params: CsvProblemParams) => string>;

export type CsvProblemCode = keyof typeof ENGLISH;

/** Every code {@link pointTableFromCsvCoded} can give, for a screen's catalog to be checked against. */
export const CSV_PROBLEM_CODES = Object.keys(ENGLISH) as readonly CsvProblemCode[];

function csvProblem(line: number, field: string, code: CsvProblemCode, params: CsvProblemParams = {}): CodedCsvProblem {
  return { line, field, code, params, message: `line ${line}: ${ENGLISH[code](params)}` };
}

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
  const outcome = pointTableFromCsvCoded(text);
  if (outcome.ok) return outcome;
  return { ok: false, problems: outcome.problems.map(({ line, field, message }) => ({ line, field, message })) };
}

/** {@link pointTableFromCsv} with each problem's code and params, for a screen that says them in its own language. */
export function pointTableFromCsvCoded(text: string): CodedPointTableCsvOutcome {
  const records = csvRecords(text.replace(/^\uFEFF/, ''));
  if ('problem' in records) return { ok: false, problems: [records.problem] };
  const [header, ...body] = records.rows;
  if (!header) return { ok: false, problems: [csvProblem(1, '', 'emptyFile')] };
  const problems: CodedCsvProblem[] = [];
  const columns = header.cells.map((cell) => cell.trim());
  for (const column of columns.filter((column) => !(POINT_TABLE_CSV_COLUMNS as readonly string[]).includes(column))) {
    problems.push(csvProblem(header.line, column, 'notColumn', { column, columns: POINT_TABLE_CSV_COLUMNS.join(', ') }));
  }
  for (const column of new Set(columns.filter((column, i) => columns.indexOf(column) !== i))) {
    problems.push(csvProblem(header.line, column, 'duplicateColumn', { column }));
  }
  for (const column of REQUIRED.filter((required) => !columns.includes(required))) {
    problems.push(csvProblem(header.line, column, 'missingColumn', { column }));
  }
  if (problems.length > 0) return { ok: false, problems };

  const inputs = body.map(({ cells, line }) => {
    const input: Record<string, unknown> = {};
    if (cells.length !== columns.length) {
      problems.push(csvProblem(line, '', 'cellCount', { cells: String(cells.length), header: String(columns.length) }));
    }
    columns.forEach((column, i) => {
      const cell = cells[i]?.trim();
      if (cell === undefined || cell === '') return;
      const value = cellValue(column as Column, cell);
      if (value === undefined) {
        problems.push(csvProblem(line, column, column === 'writable' ? 'cellNotBoolean' : 'cellNotNumber', { column, cell }));
      } else input[column] = value;
    });
    return input;
  });
  if (problems.length > 0) return { ok: false, problems };
  const outcome = checkPointTableCoded(inputs);
  if (outcome.ok) return outcome;
  return {
    ok: false,
    problems: outcome.problems.map((point) => ({
      ...csvProblem(body[point.index]?.line ?? 1, point.field, 'point', { message: point.message }),
      point,
    })),
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
function csvRecords(text: string): { rows: { cells: string[]; line: number }[] } | { problem: CodedCsvProblem } {
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
  if (quoted) return { problem: csvProblem(quoteLine, '', 'unclosedQuote') };
  if (cell !== '' || cells.length > 0) endRecord();
  return { rows };
}
