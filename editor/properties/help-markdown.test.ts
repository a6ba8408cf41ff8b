import { describe, expect, it } from 'vitest';
import { markdownBlocks } from './help-markdown.tsx';

describe('help markdown', () => {
  it('starts a new list after a paragraph that follows a list, even without a blank line', () => {
    expect(markdownBlocks('- a\n- b\n\nBetween.\n- c').map((b) => b.kind)).toEqual(['list', 'paragraph', 'list']);
    expect(markdownBlocks('- a\nBetween.\n- c')).toEqual([
      { kind: 'list', items: [{ depth: 0, text: 'a' }] },
      { kind: 'paragraph', text: 'Between.' },
      { kind: 'list', items: [{ depth: 0, text: 'c' }] },
    ]);
  });

  it('joins an indented line to the list item above it', () => {
    expect(markdownBlocks('- a\n  more\n  - nested')).toEqual([{ kind: 'list', items: [{ depth: 0, text: 'a more' }, { depth: 1, text: 'nested' }] }]);
  });

  it('joins the lines of Chinese text without a space, and Latin words with one', () => {
    expect(markdownBlocks('设备最后一次请求\n在此时间内\n`ack`\nis on（\n`x`）。\n\n- 列表\n  续行')).toEqual([
      { kind: 'paragraph', text: '设备最后一次请求在此时间内 `ack` is on（`x`）。' },
      { kind: 'list', items: [{ depth: 0, text: '列表续行' }] },
    ]);
  });
});
