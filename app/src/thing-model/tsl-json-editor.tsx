/**
 * The thing model as JSON text in CodeMirror, with the place of a syntax error marked in the text itself: the line is
 * tinted and the character underlined, and the message sits under that line. Loaded on demand (CodeMirror is large).
 */
import { useEffect, useEffectEvent, useRef } from 'react';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { json } from '@codemirror/lang-json';
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { EditorState, StateEffect, StateField, type Range } from '@codemirror/state';
import { Decoration, EditorView, WidgetType, drawSelection, highlightActiveLine, keymap, lineNumbers, type DecorationSet } from '@codemirror/view';
import type { JsonTextError } from './json-text.ts';

const setError = StateEffect.define<JsonTextError | null>();

class ErrorMessage extends WidgetType {
  constructor(readonly message: string) {
    super();
  }
  override eq(other: ErrorMessage): boolean {
    return other.message === this.message;
  }
  toDOM(): HTMLElement {
    const el = document.createElement('div');
    el.className = 'cm-tsl-error-message';
    el.setAttribute('role', 'alert');
    el.textContent = this.message;
    return el;
  }
}

const errorField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(decorations, tr) {
    let next = decorations.map(tr.changes);
    for (const effect of tr.effects) {
      if (!effect.is(setError)) continue;
      const error = effect.value;
      if (!error) {
        next = Decoration.none;
        continue;
      }
      const doc = tr.state.doc;
      const at = Math.min(error.offset, doc.length);
      const line = doc.lineAt(at);
      const ranges: Range<Decoration>[] = [Decoration.line({ class: 'cm-tsl-error-line' }).range(line.from)];
      if (at < line.to) ranges.push(Decoration.mark({ class: 'cm-tsl-error-char' }).range(at, at + 1));
      ranges.push(Decoration.widget({ widget: new ErrorMessage(`Line ${error.line}, column ${error.column}: ${error.message}`), block: true, side: 1 }).range(line.to));
      next = Decoration.set(ranges, true);
    }
    return next;
  },
  provide: (f) => EditorView.decorations.from(f),
});

const theme = EditorView.theme({
  '&': { fontSize: '12px', border: '1px solid rgb(203 213 225)', borderRadius: '6px', backgroundColor: 'white' },
  '&.cm-focused': { outline: '2px solid rgb(2 132 199)', outlineOffset: '-1px' },
  '.cm-scroller': { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, monospace', minHeight: '16rem', maxHeight: '70vh' },
  '.cm-gutters': { backgroundColor: 'rgb(248 250 252)', color: 'rgb(148 163 184)', borderRight: '1px solid rgb(226 232 240)' },
  '.cm-tsl-error-line': { backgroundColor: 'rgb(254 242 242)' },
  '.cm-tsl-error-char': { textDecoration: 'underline wavy rgb(185 28 28)', backgroundColor: 'rgb(254 202 202)' },
  '.cm-tsl-error-message': {
    fontFamily: 'ui-sans-serif, system-ui, sans-serif', fontSize: '12px', color: 'rgb(153 27 27)',
    backgroundColor: 'rgb(254 226 226)', padding: '2px 8px', borderLeft: '3px solid rgb(185 28 28)',
  },
});

export function TslJsonEditor({ value, onChange, error, label, readOnly = false }: {
  value: string;
  onChange(value: string): void;
  error: JsonTextError | null;
  /** The accessible name of the text area. */
  label: string;
  readOnly?: boolean;
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const external = useRef(false);
  const changed = useEffectEvent((text: string) => onChange(text));
  // The editor is made once, from the props of that moment; value and error changes are applied by the effects below.
  const initialProps = useEffectEvent(() => ({ value, label, readOnly }));

  useEffect(() => {
    const { value, label, readOnly } = initialProps();
    const editor = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: [
          lineNumbers(), history(), drawSelection(), highlightActiveLine(), indentOnInput(), bracketMatching(),
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          keymap.of([...defaultKeymap, ...historyKeymap]),
          json(), theme, errorField, EditorView.lineWrapping,
          EditorState.readOnly.of(readOnly), EditorView.editable.of(!readOnly),
          EditorView.contentAttributes.of({ 'aria-label': label, 'aria-multiline': 'true', role: 'textbox', ...(readOnly ? { 'aria-readonly': 'true' } : {}) }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged && !external.current) changed(update.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = editor;
    return () => {
      editor.destroy();
      view.current = null;
    };
  }, []);

  useEffect(() => {
    const editor = view.current;
    if (!editor || editor.state.doc.toString() === value) return;
    external.current = true;
    editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: value } });
    external.current = false;
  }, [value]);

  useEffect(() => {
    view.current?.dispatch({ effects: setError.of(error) });
  }, [error]);

  return <div ref={host} data-testid="tsl-json" aria-invalid={error ? true : undefined} />;
}
