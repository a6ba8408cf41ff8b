import { describe, expect, it } from 'vitest';
import type { ChangeRule } from '../../../nodes/core/function.def.ts';
import { switchChangeAction } from './function-rule-forms.tsx';

describe('a change rule whose action is switched', () => {
  it('keeps its property, starts fresh under a new action, and gets back what it had under an earlier one', () => {
    const remembered = new Map<string, ChangeRule>();
    const set: ChangeRule = { t: 'set', p: 'payload', pt: 'msg', to: '42', tot: 'num' };
    const change = switchChangeAction(set, 'change', remembered);
    expect(change).toEqual({ t: 'change', p: 'payload', pt: 'msg', from: '', fromt: 'str', to: '', tot: 'str' });

    const edited = { ...change, p: 'topic', from: 'a', to: 'b' };
    const back = switchChangeAction(edited, 'set', remembered);
    expect(back).toEqual({ t: 'set', p: 'topic', pt: 'msg', to: '42', tot: 'num' });
    expect(switchChangeAction(back, 'change', remembered)).toEqual({ t: 'change', p: 'topic', pt: 'msg', from: 'a', fromt: 'str', to: 'b', tot: 'str' });
    expect(switchChangeAction(back, 'move', remembered)).toEqual({ t: 'move', p: 'topic', pt: 'msg', to: '', tot: 'msg' });
  });
});
