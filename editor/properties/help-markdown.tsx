/**
 * A node's help, rendered from the small markdown subset the definitions use: `###` headings, `-` lists (nested by
 * indentation), paragraphs, `code`, **bold** and *italic*. Anything else shows as the text it is.
 */
import type { ReactNode } from 'react';

type Block = { kind: 'heading'; level: number; text: string } | { kind: 'list'; items: { depth: number; text: string }[] } | { kind: 'paragraph'; text: string };

const HAN = /[\u3400-\u9fff]/;
const WIDE_PUNCTUATION = /[\u3000-\u303f\uff00-\uffef]/;

/**
 * Two lines of one paragraph as one: a space between them, as between words, but none between Chinese characters
 * (`显示` + `一次`) nor beside full-width punctuation; a Chinese character and a Latin word keep their space.
 */
function joinLines(before: string, after: string): string {
  if (before === '') return after;
  const end = before.at(-1)!;
  const start = after[0] ?? '';
  const tight = (HAN.test(end) && HAN.test(start)) || WIDE_PUNCTUATION.test(end) || WIDE_PUNCTUATION.test(start);
  return tight ? before + after : `${before} ${after}`;
}

/** Splits markdown into headings, lists and paragraphs. */
export function markdownBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length) blocks.push({ kind: 'paragraph', text: paragraph.reduce(joinLines, '') });
    paragraph = [];
  };
  for (const line of markdown.split('\n')) {
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    const item = /^(\s*)[-*]\s+(.*)$/.exec(line);
    const last = blocks.at(-1);
    if (heading) {
      flush();
      blocks.push({ kind: 'heading', level: heading[1]!.length, text: heading[2]! });
    } else if (item) {
      flush();
      const entry = { depth: Math.floor(item[1]!.length / 2), text: item[2]! };
      // Read after the flush: a paragraph just ended sits between this item and an earlier list.
      const previous = blocks.at(-1);
      if (previous?.kind === 'list') previous.items.push(entry);
      else blocks.push({ kind: 'list', items: [entry] });
    } else if (line.trim() === '') {
      flush();
    } else if (paragraph.length === 0 && last?.kind === 'list' && /^\s+/.test(line)) {
      // A continuation line of the last list item.
      const items = last.items;
      const item = items[items.length - 1]!;
      item.text = joinLines(item.text, line.trim());
    } else {
      paragraph.push(line.trim());
    }
  }
  flush();
  return blocks;
}

function inline(text: string): ReactNode[] {
  const parts = text.split(/(`[^`]+`|\*\*[^*]+\*\*|\*[^*\s][^*]*\*)/g);
  return parts.map((part, i) => {
    if (part.startsWith('`') && part.endsWith('`') && part.length > 1) return <code key={i} className="rounded bg-slate-100 px-0.5 font-mono text-[0.85em]">{part.slice(1, -1)}</code>;
    if (part.startsWith('**') && part.endsWith('**') && part.length > 3) return <strong key={i}>{part.slice(2, -2)}</strong>;
    if (part.startsWith('*') && part.endsWith('*') && part.length > 2) return <em key={i}>{part.slice(1, -1)}</em>;
    return part;
  });
}

export function HelpMarkdown({ markdown }: { markdown: string }) {
  return (
    <div className="space-y-2 text-xs leading-5 text-slate-700">
      {markdownBlocks(markdown).map((block, i) => {
        if (block.kind === 'heading') return <h4 key={i} className="pt-1 font-semibold text-slate-800">{inline(block.text)}</h4>;
        if (block.kind === 'paragraph') return <p key={i}>{inline(block.text)}</p>;
        return (
          <ul key={i} className="list-disc space-y-0.5 pl-4">
            {block.items.map((item, j) => (
              <li key={j} style={{ marginLeft: item.depth * 12 }}>{inline(item.text)}</li>
            ))}
          </ul>
        );
      })}
    </div>
  );
}
