/**
 * What Node-RED's function editor counts into a node's `noerr` when it saves it: the syntax errors of its code (On
 * Start, On Message, On Stop). Node-RED asks its code editor for them; here the JavaScript parser of our code editor
 * finds them, without running anything. Browser-safe.
 */
import { javascriptLanguage } from '@codemirror/lang-javascript';

/** The number of places where `code` does not parse as JavaScript (a function body: `return` and `await` allowed). */
export function syntaxErrorCount(code: unknown): number {
  if (typeof code !== 'string' || code.trim() === '') return 0;
  let errors = 0;
  javascriptLanguage.parser.parse(code).iterate({
    enter: (node) => {
      if (node.type.isError) errors++;
    },
  });
  return errors;
}

/** A function node's `noerr`: the syntax errors of its three code properties. */
export function functionNodeErrors(node: Readonly<Record<string, unknown>>): number {
  return syntaxErrorCount(node['func']) + syntaxErrorCount(node['initialize']) + syntaxErrorCount(node['finalize']);
}
