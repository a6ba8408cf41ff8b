/** Joins the truthy class names (what `clsx` does, for the few cases this app has). */
export function cx(...classes: (string | false | null | undefined)[]): string {
  return classes.filter(Boolean).join(' ');
}
