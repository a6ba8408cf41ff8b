/**
 * Problems of a thing model, by the JSON pointer of what they are about (`/properties/2/dataType/specs/min`), for the
 * form fields to show under themselves. The browser's check and the server's `details` use the same paths, so one
 * lookup serves both. A field shows its problem once it was left with something in it (or the user tried to apply
 * the form), so a new form does not open covered in red and "missing" waits until the user is done.
 */
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';

export interface Problem {
  path: string;
  message: string;
}

interface ProblemsValue {
  byPath: ReadonlyMap<string, string[]>;
  /** Show every problem, touched or not (after an attempt to apply, and for problems the server reported). */
  revealAll: boolean;
  touched: ReadonlySet<string>;
  touch(path: string): void;
}

const ProblemsContext = createContext<ProblemsValue>({ byPath: new Map(), revealAll: true, touched: new Set(), touch() {} });

/** Groups problems by path (one field may have several). */
export function problemsByPath(problems: readonly Problem[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const p of problems) map.set(p.path, [...(map.get(p.path) ?? []), p.message]);
  return map;
}

/** The problems at `prefix` and below it. */
export function problemsUnder(problems: readonly Problem[], prefix: string): Problem[] {
  return problems.filter((p) => p.path === prefix || p.path.startsWith(`${prefix}/`));
}

export function ProblemsProvider({ problems, revealAll, children }: { problems: readonly Problem[]; revealAll: boolean; children: ReactNode }) {
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const touch = useCallback((path: string) => setTouched((t) => (t.has(path) ? t : new Set([...t, path]))), []);
  const byPath = useMemo(() => problemsByPath(problems), [problems]);
  const value = useMemo(() => ({ byPath, revealAll, touched, touch }), [byPath, revealAll, touched, touch]);
  return <ProblemsContext.Provider value={value}>{children}</ProblemsContext.Provider>;
}

/**
 * The problem to show under the control for `path` (undefined while there is none, or it is not to be shown yet)
 * and the blur handler that marks the control as visited.
 */
export function useProblem(...paths: string[]): { error: string | undefined; onBlur(): void } {
  const { byPath, revealAll, touched, touch } = useContext(ProblemsContext);
  const messages = paths.flatMap((p) => (revealAll || touched.has(p) ? byPath.get(p) ?? [] : []));
  return {
    error: messages.length > 0 ? capitalise(messages.join('; ')) : undefined,
    onBlur: () => paths.forEach(touch),
  };
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
