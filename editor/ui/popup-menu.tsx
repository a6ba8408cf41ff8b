/**
 * A menu at a point of the page (the canvas's context menu): items that do not apply are shown disabled, as in
 * Node-RED; Escape or a press outside closes it, arrow keys move between items.
 */
import { useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useDismiss } from './use-dismiss.ts';

export interface MenuItem {
  label: string;
  /** The shortcut shown beside it. */
  keys?: string;
  disabled?: boolean;
  /** A line above this item. */
  separated?: boolean;
  onSelect(): void;
}

/** The menu, its top-left corner at page point (x, y), moved inside the window when it would overflow. */
export function PopupMenu({ label, x, y, items, onClose }: { label: string; x: number; y: number; items: readonly MenuItem[]; onClose(): void }) {
  const ref = useRef<HTMLDivElement>(null);
  const [place, setPlace] = useState({ left: x, top: y });
  useDismiss(ref, true, onClose);
  useLayoutEffect(() => {
    const box = ref.current!.getBoundingClientRect();
    setPlace({ left: Math.max(0, Math.min(x, window.innerWidth - box.width - 4)), top: Math.max(0, Math.min(y, window.innerHeight - box.height - 4)) });
    ref.current!.querySelector<HTMLButtonElement>('[role="menuitem"]:not([disabled])')?.focus();
  }, [x, y]);
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    event.preventDefault();
    const enabled = [...ref.current!.querySelectorAll<HTMLButtonElement>('[role="menuitem"]:not([disabled])')];
    const at = enabled.indexOf(document.activeElement as HTMLButtonElement);
    enabled[(at + (event.key === 'ArrowDown' ? 1 : enabled.length - 1)) % enabled.length]?.focus();
  };
  return (
    <div
      ref={ref} role="menu" aria-label={label} onKeyDown={onKeyDown} onContextMenu={(e) => e.preventDefault()}
      className="fixed z-40 min-w-52 rounded border border-slate-200 bg-white py-1 text-sm shadow-lg" style={place}
    >
      {items.map((item) => (
        <div key={item.label}>
          {item.separated && <div role="separator" className="my-1 border-t border-slate-200" />}
          <button
            type="button" role="menuitem" disabled={item.disabled}
            onClick={() => {
              onClose();
              item.onSelect();
            }}
            className="flex w-full items-center justify-between gap-6 px-3 py-1 text-left text-slate-800 hover:bg-slate-100 focus:bg-slate-100 focus:outline-none disabled:cursor-default disabled:text-slate-400 disabled:hover:bg-transparent"
          >
            <span>{item.label}</span>
            {item.keys && <span className="text-xs text-slate-400">{item.keys}</span>}
          </button>
        </div>
      ))}
    </div>
  );
}

/** A menu that drops from a button (the tab menu): closed by Escape or a press outside, like every editor menu. */
export function DropdownMenu({ className, onClose, children }: { className: string; onClose(): void; children: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  useDismiss(ref, true, onClose);
  return (
    <div ref={ref} role="menu" className={className}>
      {children}
    </div>
  );
}
