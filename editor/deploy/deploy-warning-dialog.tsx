/**
 * Node-RED's deploy warning: the flows have nodes that are not properly configured. They can still be deployed (the
 * runtime leaves those nodes inert), after the user has seen which they are.
 */
import type { ProblemEntry } from '../model/problem-list.ts';
import { BUTTON, Modal, ModalActions, PRIMARY_BUTTON } from '../ui/modal.tsx';

/** Entries listed at most; the rest are counted. */
const LISTED = 10;

export function DeployWarningDialog({ entries, onCancel, onConfirm }: { entries: readonly ProblemEntry[]; onCancel(): void; onConfirm(): void }) {
  return (
    <Modal title="Deploy with invalid nodes?" onClose={onCancel}>
      <p className="text-sm text-slate-700">The workspace contains some nodes that are not properly configured:</p>
      <ul aria-label="Invalid nodes" className="mt-2 max-h-60 list-disc overflow-y-auto pl-5 text-sm">
        {entries.slice(0, LISTED).map((entry) => (
          <li key={entry.nodeId}>
            <span className="font-medium text-slate-900">{entry.label}</span>
            <span className="text-slate-500"> · {entry.tabLabel}</span>
            <span className="block text-xs text-red-700">{entry.messages.join(' · ')}</span>
          </li>
        ))}
      </ul>
      {entries.length > LISTED && <p className="mt-1 text-xs text-slate-500">and {entries.length - LISTED} more (see the Problems tab).</p>}
      <p className="mt-2 text-sm text-slate-700">They will not run until they are fixed. Are you sure you want to deploy?</p>
      <ModalActions>
        <button type="button" className={BUTTON} onClick={onCancel} autoFocus>
          Cancel
        </button>
        <button type="button" className={PRIMARY_BUTTON} onClick={onConfirm}>
          Confirm deploy
        </button>
      </ModalActions>
    </Modal>
  );
}
