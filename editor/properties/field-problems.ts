/**
 * Which form field each problem of a node belongs to, so the message shows under the field at fault. Problems come
 * from the store (`selectNodeProblems`: the node's validator, `validateNodeConfig`, plus missing references); their
 * `path` is a JSON pointer into the node. Pure, no React.
 */

/** A problem as the store reports it (`NodeProblem`), or as the validator does (`ConfigProblem`). */
export interface PathProblem {
  path: string;
  message: string;
}

export interface FieldProblems {
  /** Messages by field name, for the fields the form shows. */
  byField: ReadonlyMap<string, readonly string[]>;
  /** Messages about the node as a whole or about properties the form does not show. */
  general: readonly string[];
}

/**
 * Sorts problems by the top-level property their path starts with. `/credentials/<name>` belongs to credential field
 * `<name>`. Problems whose property is not in `fieldNames` (or whose path is `''`) are general.
 */
export function problemsByField(
  problems: readonly PathProblem[],
  fieldNames: { config: Iterable<string>; credentials?: Iterable<string> },
): FieldProblems {
  const config = new Set(fieldNames.config);
  const credentials = new Set(fieldNames.credentials ?? []);
  const byField = new Map<string, string[]>();
  const general: string[] = [];
  for (const problem of problems) {
    const [first, second] = problem.path.split('/').slice(1).map(decodePointer);
    let field: string | undefined;
    if (first === 'credentials' && second !== undefined && credentials.has(second)) field = fieldKey('credentials', second);
    else if (first !== undefined && config.has(first)) field = fieldKey('config', first);
    if (field === undefined) {
      if (!general.includes(problem.message)) general.push(problem.message);
      continue;
    }
    const list = byField.get(field) ?? [];
    if (!list.includes(problem.message)) list.push(problem.message);
    byField.set(field, list);
  }
  return { byField, general };
}

/** The key of a field in {@link FieldProblems.byField}: config fields by name, credentials as `credentials/<name>`. */
export function fieldKey(source: 'config' | 'credentials', name: string): string {
  return source === 'config' ? name : `credentials/${name}`;
}

function decodePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}
