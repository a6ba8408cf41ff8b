/**
 * The thing model as JSON text in CodeMirror, with the place of a syntax error marked in the text itself: the line is
 * tinted and the character underlined, and the message sits under that line. Loaded on demand (CodeMirror is large).
 */
import { useEffect, useEffectEvent, useRef } from 'react';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { json } from '@codemirror/lang-json';
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { EditorState } from '@codemirror/state';
import { EditorView, drawSelection, highlightActiveLine, keymap, lineNumbers } from '@codemirror/view';
import { codeErrorMark, setCodeError } from '../../../editor/properties/code-error-mark.ts';
import { codeFrame, codeHighlighting, darkMode, darkSlot } from '../../../editor/properties/code-theme.ts';
import { useTheme } from '../ui/use-theme.ts';
import type { JsonTextError } from './json-text.ts';

const theme = codeFrame({ minHeight: '16rem', maxHeight: '70vh', radius: '6px' });

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
  const dark = useTheme() === 'dark';
  const darkness = useRef(darkSlot());
  const initialProps = useEffectEvent(() => ({ value, label, readOnly, dark }));

  useEffect(() => {
    const { value, label, readOnly, dark } = initialProps();
    const editor = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: [
          lineNumbers(), history(), drawSelection(), highlightActiveLine(), indentOnInput(), bracketMatching(),
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }), codeHighlighting, darkness.current.of(darkMode(dark)),
          keymap.of([...defaultKeymap, ...historyKeymap]),
          json(), theme, codeErrorMark, EditorView.lineWrapping,
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
    view.current?.dispatch({ effects: setCodeError.of(error) });
  }, [error]);


  useEffect(() => {
    view.current?.dispatch({ effects: darkness.current.reconfigure(darkMode(dark)) });
  }, [dark]);
  return <div ref={host} data-testid="tsl-json" aria-invalid={error ? true : undefined} />;
}
