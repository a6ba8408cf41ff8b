import { afterEach, describe, expect, it } from 'vitest';
import { checkTslCoded, TSL_DUPLICATE_KINDS, TSL_PROBLEM_CODES, type CodedTslProblem } from '../../../domain/thing-model/tsl-problems.ts';
import { setLocale } from '../i18n/locale.ts';
import { shownTslProblems, tp, tslProblemText } from './tsl-problems.messages.ts';

const int = (specs: Record<string, unknown> = {}) => ({ type: 'int', specs });
const param = (identifier: string, dataType: unknown = int()) => ({ identifier, name: identifier, dataType });
const property = (identifier: string, dataType: unknown = int()) => ({ identifier, name: identifier, accessMode: 'rw', dataType });
const withType = (dataType: unknown) => ({ properties: [property('p', dataType)] });

/** Documents that, between them, have every problem the check knows. */
const documents: unknown[] = [
  'not a thing model',
  { properties: {}, services: 'x', events: 1 },
  {
    properties: [
      7, { identifier: '1abc', name: '', accessMode: 'w', dataType: int() }, { name: 'x', accessMode: 'r', dataType: int() },
      property('dup'), property('dup'),
    ],
    services: [
      'x', { identifier: 'set', name: 's', callType: 'sync' },
      { identifier: 'blink', name: 'b', callType: 'now', method: 'blink', inputData: 'x', outputData: [1, param('a'), param('a')] },
      { identifier: 'wrong', method: 'thing.service.property.set', name: 's' },
      { identifier: 'get', method: 'thing.service.property.get', name: 'g', inputData: ['nope'], outputData: 'x' },
    ],
    events: [
      'x', { identifier: 'post', name: 'p', type: 'info' },
      { identifier: 'alarm', name: 'a', type: 'fatal', method: 'alarm', outputData: [param('o'), param('o')] },
    ],
  },
  withType('int'),
  withType({ type: 'integer' }),
  withType({ type: 'date', specs: 1 }),
  withType({ type: 'int', specs: 5 }),
  withType(int({ min: 'x', max: '1.5', step: '0' })),
  withType(int({ min: '9', max: '3000000000', step: 'y' })),
  withType(int({ min: '9', max: '3' })),
  withType({ type: 'text', specs: 'x' }),
  withType({ type: 'text', specs: { length: 0 } }),
  withType({ type: 'bool', specs: {} }),
  withType({ type: 'enum', specs: {} }),
  withType({ type: 'bool', specs: { 0: 'off', 2: 'maybe' } }),
  withType({ type: 'enum', specs: { a: 'x', 1: 7 } }),
  withType({ type: 'struct', specs: [] }),
  withType({ type: 'struct', specs: [param('a'), param('a'), param('s', { type: 'struct', specs: [param('x')] })] }),
  withType({ type: 'struct', specs: [param('l', { type: 'array', specs: { size: 2, item: { type: 'struct', specs: [param('x')] } } })] }),
  withType({ type: 'array', specs: 'x' }),
  withType({ type: 'array', specs: { item: { type: 'int' } } }),
  withType({ type: 'array', specs: { size: 600 } }),
  withType({ type: 'array', specs: { size: 2, item: { type: 'bool' } } }),
];

const problems: CodedTslProblem[] = documents.flatMap((doc) => checkTslCoded(doc));

afterEach(() => setLocale('en'));

describe('the thing model check in the language shown', () => {
  it('has words for every problem the check can find, in both languages', () => {
    for (const code of TSL_PROBLEM_CODES) expect(tp.catalog, code).toHaveProperty([code]);
    for (const kind of TSL_DUPLICATE_KINDS) expect(tp.catalog, kind).toHaveProperty([`kind.${kind}`]);
    // The documents above find every one of them, so the next tests cover every code.
    expect(new Set(problems.map((p) => p.code))).toEqual(new Set(TSL_PROBLEM_CODES));
  });

  it('says each problem in English exactly as the server does', () => {
    for (const problem of problems) expect(tslProblemText(problem)).toBe(problem.message);
  });

  it('says each problem in Chinese, with its values filled in', () => {
    setLocale('zh-CN');
    for (const problem of problems) {
      const text = tslProblemText(problem);
      expect(text, problem.code).not.toBe(problem.message);
      expect(text, problem.code).not.toMatch(/\{[A-Za-z]+\}/);
      for (const [name, value] of Object.entries(problem.params)) {
        if (name !== 'what') expect(text, `${problem.code} ${name}`).toContain(value);
      }
    }
    expect(tslProblemText(checkTslCoded({ properties: [property('a'), property('a')] })[0]!))
      .toBe('属性标识符“a”重复（已在 /properties/0 使用）');
  });

  it('shows the server\'s problems the check does not repeat, as they came', () => {
    setLocale('zh-CN');
    const doc = { properties: [{ identifier: 'a', name: 'a', accessMode: 'rw', dataType: int() }, { identifier: 'a' }] };
    const server = [
      ...checkTslCoded(doc).map(({ path, message }) => ({ path, message })),
      { path: '/properties/0', message: 'only the server knows this' },
    ];
    const shown = shownTslProblems(doc, server);
    expect(shown).toEqual([
      ...checkTslCoded(doc).map((p) => ({ path: p.path, message: tslProblemText(p) })),
      { path: '/properties/0', message: 'only the server knows this' },
    ]);
    expect(shown.map((p) => p.message)).toContain('属性标识符“a”重复（已在 /properties/0 使用）');
  });
});
