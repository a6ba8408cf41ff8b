import { useState } from 'react';
import { tc } from '../i18n/common.messages.ts';
import { Button } from './button.tsx';
import { t } from './ui.messages.ts';

/**
 * Copies `text` to the clipboard and says so. The Clipboard API needs a secure context (https or localhost); where it
 * is missing the text is selected for the user to copy instead of failing silently.
 */
export function CopyButton({ text, label, targetId }: { text: string; label?: string; targetId?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'select'>('idle');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      const target = targetId ? document.getElementById(targetId) : null;
      if (target) window.getSelection()?.selectAllChildren(target);
      setState('select');
    }
    setTimeout(() => setState('idle'), 2000);
  };
  return (
    <Button size="sm" onClick={() => void copy()} aria-live="polite">
      {state === 'copied' ? tc('copied') : state === 'select' ? t('copy.select') : (label ?? tc('copy'))}
    </Button>
  );
}

/** A command or value to copy: monospaced, wrapping, with its copy button. */
export function CopyBlock({ id, text, label }: { id: string; text: string; label: string }) {
  return (
    <div className="relative">
      <pre id={id} aria-label={label} className="overflow-x-auto whitespace-pre-wrap break-all rounded-md bg-slate-900 p-3 pr-20 font-mono text-xs leading-relaxed text-slate-100 dark:border dark:border-slate-200 dark:bg-slate-50 dark:text-slate-800">{text}</pre>
      <div className="absolute right-2 top-2">
        <CopyButton text={text} targetId={id} />
      </div>
    </div>
  );
}
