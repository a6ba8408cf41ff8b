/**
 * A list chosen from by keyboard while typing in a field above it (search, quick-add): arrow keys move the active
 * entry, Enter chooses it, typing starts again from the first.
 */
import { useState, type KeyboardEvent } from 'react';

export interface ListChoice<T> {
  /** The active entry's index (within the list). */
  active: number;
  setActive(index: number): void;
  /** For the field's `onKeyDown`. */
  onKeyDown(event: KeyboardEvent): void;
  /** Chooses an entry (a click); nothing for undefined. */
  choose(entry: T | undefined): void;
}

/** Keyboard choice over `entries`; `onChoose` gets the chosen one. */
export function useListChoice<T>(entries: readonly T[], onChoose: (entry: T) => void): ListChoice<T> {
  const [at, setActive] = useState(0);
  const active = Math.max(0, Math.min(at, entries.length - 1));
  const choose = (entry: T | undefined) => {
    if (entry !== undefined) onChoose(entry);
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (entries.length > 0) setActive((active + (event.key === 'ArrowDown' ? 1 : entries.length - 1)) % entries.length);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      choose(entries[active]);
    }
  };
  return { active, setActive, onKeyDown, choose };
}
