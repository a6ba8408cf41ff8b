import { describe, expect, it } from 'vitest';
import { rulesRestructured, wiresFollowingRules } from './rule-outputs.ts';

describe('switch outputs following their rules', () => {
  const wires = [['a'], ['b', 'c'], []];

  it('moves each wire with its rule', () => {
    expect(wiresFollowingRules(wires, [0, 2, 1])).toEqual([['a'], [], ['b', 'c']]);
  });

  it('drops the wires of a removed rule and starts an added one unwired', () => {
    expect(wiresFollowingRules(wires, [1, 2])).toEqual([['b', 'c'], []]);
    expect(wiresFollowingRules(wires, [0, 1, 2, -1])).toEqual([['a'], ['b', 'c'], [], []]);
    expect(wiresFollowingRules(undefined, [-1])).toEqual([[]]);
  });

  it('tells edits in place from a new shape', () => {
    expect(rulesRestructured(3, [0, 1, 2])).toBe(false);
    expect(rulesRestructured(3, [1, 0, 2])).toBe(true);
    expect(rulesRestructured(3, [0, 1])).toBe(true);
  });
});
