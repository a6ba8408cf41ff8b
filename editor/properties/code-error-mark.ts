/**
 * A place in the text of a CodeMirror editor marked as wrong: the line is tinted, the character underlined, and the
 * message sits under that line, so the user reads the problem where it is. Shared by the code fields and the
 * management screens' JSON and codec editors; set it with `view.dispatch({effects: setCodeError.of(place)})`.
 */
import { StateEffect, StateField, type Extension, type Range, type Text } from '@codemirror/state';
import { Decoration, EditorView, WidgetType, type DecorationSet } from '@codemirror/view';
import { t } from './properties.messages.ts';

export interface CodeErrorPlace {
  message: string;
  /** 1-based, for people. */
  line: number;
  /** 1-based; the line as a whole when left out. */
  column?: number;
  /** Offset of the character in error; computed from line and column when left out. */
  offset?: number;
}

export const setCodeError = StateEffect.define<CodeErrorPlace | null>();

class ErrorMessage extends WidgetType {
  constructor(readonly message: string) {
    super();
  }
  override eq(other: ErrorMessage): boolean {
    return other.message === this.message;
  }
  toDOM(): HTMLElement {
    const el = document.createElement('div');
    el.className = 'cm-code-error-message';
    el.setAttribute('role', 'alert');
    el.textContent = this.message;
    return el;
  }
}

/** The offset `place` names, kept inside the document (a stale place may point past a shorter text). */
function offsetOf(doc: Text, place: CodeErrorPlace): number {
  if (place.offset !== undefined) return Math.min(place.offset, doc.length);
  const line = doc.line(Math.min(Math.max(place.line, 1), doc.lines));
  return Math.min(line.from + Math.max((place.column ?? 1) - 1, 0), line.to);
}

const errorField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(decorations, tr) {
    let next = decorations.map(tr.changes);
    for (const effect of tr.effects) {
      if (!effect.is(setCodeError)) continue;
      const place = effect.value;
      if (!place) {
        next = Decoration.none;
        continue;
      }
      const doc = tr.state.doc;
      const at = offsetOf(doc, place);
      const line = doc.lineAt(at);
      const ranges: Range<Decoration>[] = [Decoration.line({ class: 'cm-code-error-line' }).range(line.from)];
      if (place.column !== undefined && at < line.to) ranges.push(Decoration.mark({ class: 'cm-code-error-char' }).range(at, at + 1));
      const where = place.column === undefined ? t('code.line', { line: place.line }) : t('code.lineColumn', { line: place.line, column: place.column });
      ranges.push(Decoration.widget({ widget: new ErrorMessage(`${where}: ${place.message}`), block: true, side: 1 }).range(line.to));
      next = Decoration.set(ranges, true);
    }
    return next;
  },
  provide: (f) => EditorView.decorations.from(f),
});

const errorTheme = EditorView.baseTheme({
  '.cm-code-error-line': { backgroundColor: 'rgb(254 242 242)' },
  '.cm-code-error-char': { textDecoration: 'underline wavy rgb(185 28 28)', backgroundColor: 'rgb(254 202 202)' },
  '.cm-code-error-message': {
    fontFamily: 'ui-sans-serif, system-ui, sans-serif', fontSize: '12px', color: 'rgb(153 27 27)',
    backgroundColor: 'rgb(254 226 226)', padding: '2px 8px', borderLeft: '3px solid rgb(185 28 28)', whiteSpace: 'pre-wrap',
  },
});

/** The extension that draws the place set with {@link setCodeError}. */
export const codeErrorMark: Extension = [errorField, errorTheme];
