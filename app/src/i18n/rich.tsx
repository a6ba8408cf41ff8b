import { Fragment, type ReactNode } from 'react';

/**
 * A translated sentence with marked parts rendered as elements: `Open <link>the editor</link> to draw it` with
 * `{ link: (text) => <Link to="/flows">{text}</Link> }`. Tags do not nest; an unknown tag is shown as its text.
 */
export function richText(text: string, tags: Record<string, (chunk: string) => ReactNode>): ReactNode {
  const parts: ReactNode[] = [];
  const pattern = /<([a-zA-Z][\w-]*)>(.*?)<\/\1>/gs;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > last) parts.push(text.slice(last, match.index));
    const render = tags[match[1]!];
    parts.push(<Fragment key={parts.length}>{render ? render(match[2]!) : match[2]}</Fragment>);
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts.length === 1 ? parts[0] : <>{parts}</>;
}
