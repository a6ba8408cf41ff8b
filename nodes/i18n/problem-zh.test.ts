import { describe, expect, it } from 'vitest';
import { checkFlowNodeConfig, nodeDefinitions } from '../definitions.ts';
import { PROBLEM_CODES, problemText, type ProblemParams } from '../kit/problem-text.ts';
import { problemTextIn } from './problem-zh.def.ts';

const hasHan = (text: string) => /\p{Script=Han}/u.test(text);

/** Parameters enough for any code's message (each code reads the ones it needs). */
const sample: ProblemParams = {
  type: 'msg', text: 'a..b', detail: problemText('path.emptyName'), error: 'Unexpected end of JSON input', got: '"x"',
  version: 3, max: 2, from: 1, to: 2, property: 'topic', title: 'Topic', types: 'integer,string', choices: '0, 1, 2',
  value: '"a"', keyword: 'minimum', ajv: 'must be >= 1', comparison: '>=', limit: 1, prop: 'payload', n: 2, name: 'x', min: 0,
};

describe('node problems in Chinese', () => {
  it('has the Chinese of every problem code', () => {
    for (const code of PROBLEM_CODES) {
      const problem = { code, params: sample, message: 'English' };
      const zh = problemTextIn(problem, 'zh-CN', 'mqtt in');
      expect(hasHan(zh), `${code} has no Chinese: ${zh}`).toBe(true);
      expect(zh, code).not.toMatch(/undefined|\[object/);
      expect(problemTextIn(problem, 'en', 'mqtt in'), code).toBe('English');
    }
  });

  it('says a check in Chinese, nested problems and field titles too', () => {
    const [repeat] = checkFlowNodeConfig({ id: 'i', type: 'inject', repeat: '-5', props: [] });
    expect(repeat?.message).toBe('Invalid repeat value: seconds from 0 to 2147483');
    expect(problemTextIn(repeat!, 'zh-CN', 'inject')).toBe('重复间隔无效：应为 0 到 2147483 秒');

    const [rule] = checkFlowNodeConfig({ id: 's', type: 'switch', property: 'payload', rules: [{ t: 'eq', v: 'a..b', vt: 'msg' }] });
    expect(rule?.message).toBe('rule 1: msg.a..b: an empty name between two dots');
    expect(problemTextIn(rule!, 'zh-CN', 'switch')).toBe('规则 1：msg.a..b：两个点之间的名称为空');

    const [required] = checkFlowNodeConfig({ id: 'a', type: 'alert', trigger: 'threshold' });
    expect(required?.message).toBe('Property is required');
    expect(problemTextIn(required!, 'zh-CN', 'alert')).toMatch(/^\p{Script=Han}+不能为空$/u);

    // A problem from elsewhere, without a code, stays as it is.
    expect(problemTextIn({ message: 'Something else' }, 'zh-CN', 'alert')).toBe('Something else');
  });

  it('gives every problem of every definition a code', () => {
    for (const definition of nodeDefinitions) {
      const names = Object.keys(definition.config.properties);
      for (const value of ['a..b #', -1, { x: 1 }, '']) {
        const node = { id: 'n', type: definition.type, ...Object.fromEntries(names.map((name) => [name, value])) };
        for (const problem of checkFlowNodeConfig(node)) {
          expect(PROBLEM_CODES, `${definition.type} ${problem.path}: "${problem.message}" has no code`).toContain(problem.code);
          const zh = problemTextIn(problem, 'zh-CN', definition.type);
          expect(hasHan(zh), `${definition.type} ${problem.path}: ${zh}`).toBe(true);
        }
      }
    }
  });
});
