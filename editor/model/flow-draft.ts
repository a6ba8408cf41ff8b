/**
 * The local draft: unsaved edits kept across a page reload (the UI stores the text in localStorage). A draft carries
 * the flows as edited, the flows as loaded (so dirty tracking survives) and the `rev` they were loaded at (so the
 * UI can tell whether the server moved on meanwhile). Browser-safe.
 */
import { FlowImportError, exportFlows, importFlows, type FlowDocument } from './flow-codec.ts';

const FORMAT = 'thingwire-flow-draft';
const VERSION = 1;

/** What a draft restores. */
export interface FlowDraft {
  /** The `rev` the edited flows were loaded at; null if they never came from the server. */
  rev: string | null;
  /** When the draft was written (ISO 8601). */
  savedAt: string;
  activeTab: string | null;
  /** The flows as loaded or last deployed. */
  baseline: FlowDocument;
  /** The flows as edited. */
  document: FlowDocument;
}

/** A draft that cannot be read: another format, a newer version, or damaged text. */
export class FlowDraftError extends Error {
  override readonly name = 'FlowDraftError';
  readonly code = 'invalid-draft';
}

/** The draft as text. The baseline is written only when it differs from the edited flows. */
export function serializeDraft(draft: FlowDraft): string {
  return JSON.stringify({
    format: FORMAT,
    version: VERSION,
    savedAt: draft.savedAt,
    rev: draft.rev,
    activeTab: draft.activeTab,
    flows: exportFlows(draft.document),
    baseline: draft.baseline === draft.document ? null : exportFlows(draft.baseline),
  });
}

/**
 * Reads a draft written by {@link serializeDraft}.
 *
 * @throws {FlowDraftError} when the text is not such a draft.
 */
export function readDraft(text: string): FlowDraft {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new FlowDraftError(`The flow draft is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (json === null || typeof json !== 'object' || (json as { format?: unknown }).format !== FORMAT) {
    throw new FlowDraftError('The text is not a Thingwire flow draft');
  }
  const draft = json as Record<string, unknown>;
  if (draft['version'] !== VERSION) throw new FlowDraftError(`Flow draft version ${String(draft['version'])} is not supported`);
  const rev = draft['rev'];
  const activeTab = draft['activeTab'];
  if ((rev !== null && typeof rev !== 'string') || (activeTab !== null && typeof activeTab !== 'string')) {
    throw new FlowDraftError('The flow draft is damaged (rev or active tab)');
  }
  try {
    const document = importFlows(draft['flows']);
    const baseline = draft['baseline'] === null ? document : importFlows(draft['baseline']);
    return { rev, activeTab, savedAt: typeof draft['savedAt'] === 'string' ? draft['savedAt'] : '', baseline, document };
  } catch (err) {
    if (err instanceof FlowImportError) throw new FlowDraftError(`The flow draft is damaged: ${err.message}`);
    throw err;
  }
}
