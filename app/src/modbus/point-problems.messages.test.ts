import { afterEach, describe, expect, it } from 'vitest';
import {
  checkPointTableCoded, POINT_PROBLEM_CODES, pointLabel, pointProblemEnglish, type CodedPointProblem,
} from '../../../domain/modbus/point-table.ts';
import { CSV_PROBLEM_CODES, pointTableFromCsvCoded, type CodedCsvProblem } from '../../../domain/modbus/point-table-csv.ts';
import { setLocale } from '../i18n/locale.ts';
import { csvProblemText, pointProblemText, tpp } from './point-problems.messages.ts';

const point = (property: string | undefined, fields: Record<string, unknown> = {}) =>
  ({ ...(property === undefined ? {} : { property }), function: 3, address: 0, type: 'int16', ...fields });

/** A table with every problem of a point the check knows (but `schema`, TypeBox's own words, added below). */
const table = [
  point('1st'), point('a', { function: 5 }), point('b', { address: 65_536 }), point('c', { type: 'string', count: 0 }),
  point('d', { type: 'int8' }), point('e', { byteOrder: 'middle' }), point('f', { wordOrder: 'x' }), point('g', { scale: 'x' }),
  point('h', { writable: 'yes' }), point(undefined), point('i', { colour: 'red' }), 'j',
  point('k', { address: 100 }), point('k', { address: 200 }), point('l', { function: 2, type: 'uint16' }),
  point('m', { address: 300, type: 'string' }), point('n', { function: 1, address: 10, type: 'bool', count: 2 }),
  point('o', { address: 400, type: 'int32', count: 1 }), point('p', { address: 500, scale: 0 }),
  point('q', { function: 4, writable: true }), point('r', { address: 1000, type: 'string', count: 124, writable: true }),
  point('s', { function: 4, address: 65_535, type: 'int32' }),
  point('t', { address: 600, type: 'int32' }), point('u', { address: 601 }), point('v', { address: 601, type: 'int32' }),
];

const coded = (outcome: { ok: true } | { ok: false; problems: CodedPointProblem[] }) => (outcome.ok ? [] : outcome.problems);
const schema = { index: 2, property: 'x', field: 'count', code: 'schema', params: { field: 'count', detail: 'Expected integer' } } as const;
const pointProblems: CodedPointProblem[] = [
  ...coded(checkPointTableCoded(table)),
  ...coded(checkPointTableCoded('not a list')),
  { ...schema, message: `${pointLabel(2, 'x')}: ${pointProblemEnglish(schema.code, schema.params)}` },
];

const csvFiles = [
  '',
  'property,function,colour,colour\n',
  'property,function,address,type\nx,3,0\n',
  'property,function,address,type,writable\nx,abc,0,int16,maybe\n',
  'property\n"abc',
  'property,function,address,type\nx,3,0,int16\ny,3,0,int8\n',
];
const csvProblems: CodedCsvProblem[] = csvFiles.flatMap((file) => {
  const outcome = pointTableFromCsvCoded(file);
  return outcome.ok ? [] : outcome.problems;
});

afterEach(() => setLocale('en'));

describe('the point table\'s problems in the language shown', () => {
  it('has words for every problem the checks can find, in both languages', () => {
    for (const code of POINT_PROBLEM_CODES) expect(tpp.catalog, code).toHaveProperty([code]);
    for (const code of CSV_PROBLEM_CODES) expect(tpp.catalog, code).toHaveProperty([`csv.${code}`]);
    // The tables and files above find every one of them, so the next tests cover every code.
    expect(new Set(pointProblems.map((p) => p.code))).toEqual(new Set(POINT_PROBLEM_CODES));
    expect(new Set(csvProblems.map((p) => p.code))).toEqual(new Set(CSV_PROBLEM_CODES));
  });

  it('says each problem in English exactly as the server does', () => {
    for (const problem of pointProblems) expect(pointProblemText(problem)).toBe(problem.message);
    for (const problem of csvProblems) expect(csvProblemText(problem)).toBe(problem.message);
  });

  it('says each problem in Chinese, with its values filled in', () => {
    setLocale('zh-CN');
    for (const problem of [...pointProblems, ...csvProblems]) {
      const text = 'line' in problem ? csvProblemText(problem) : pointProblemText(problem);
      expect(text, problem.code).not.toBe(problem.message);
      expect(text, problem.code).not.toMatch(/\{[A-Za-z]+\}/);
      for (const [name, value] of Object.entries(problem.params)) {
        if (name !== 'message') expect(text, `${problem.code} ${name}`).toContain(value);
      }
    }
    const overlap = pointProblems.find((p) => p.code === 'overlap' && p.property === 'v')!;
    expect(pointProblemText(overlap)).toBe('点位 25（v）：功能码 3 的地址 601..602 与点位 23（t）的地址 600..601 重叠');
    expect(csvProblemText(csvProblems.at(-1)!)).toBe('第 3 行：点位 2（y）：type 必须是 bool、int16、uint16、int32、uint32、float32、float64、string 之一');
  });

  it('leaves problems without a code (the server\'s, the tab\'s) as they are', () => {
    setLocale('zh-CN');
    expect(pointProblemText({ index: 0, message: 'point 1: only the server knows this' })).toBe('point 1: only the server knows this');
    expect(csvProblemText({ line: 0, message: '太大了' })).toBe('太大了');
  });
});
