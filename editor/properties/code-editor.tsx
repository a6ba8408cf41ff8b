/**
 * A CodeMirror 6 editor for code fields (function bodies, templates, JSON): line numbers, undo, bracket matching
 * and highlighting for JavaScript and JSON. Changes from outside (the store's undo) replace the text; typing reports
 * each change and, on leaving the editor, the end of the gesture. An `error` is marked at its line in the text.
 */
import { useEffect, useEffectEvent, useRef } from 'react';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { javascript } from '@codemirror/lang-javascript';
import { json } from '@codemirror/lang-json';
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { Compartment, EditorState, Prec, type Extension } from '@codemirror/state';
import { EditorView, drawSelection, highlightActiveLine, keymap, lineNumbers } from '@codemirror/view';
import { codeErrorMark, setCodeError, type CodeErrorPlace } from './code-error-mark.ts';
import { codeFrame, codeHighlighting, darkMode, darkSlot } from './code-theme.ts';
import { useTheme } from '../theme.ts';

export interface CodeEditorProps {
  value: string;
  /** `javascript`, `json`; anything else is plain text. */
  language: string;
  /** The accessible name of the editing area. */
  label: string;
  id?: string;
  invalid?: boolean;
  describedBy?: string;
  /** Shown, selectable and copyable, but not editable (a locked code node). */
  readOnly?: boolean;
  /** A problem to mark at its place in the text (a compile error), or null. */
  error?: CodeErrorPlace | null;
  /** `field` (default) sits in a form; `page` is the main editor of a screen and takes most of its height. */
  size?: 'field' | 'page';
  onChange(value: string): void;
  /** The editor lost focus: the typing gesture is over. */
  onBlur?(): void;
}

function languageExtension(language: string): Extension {
  if (language === 'javascript' || language === 'js') return javascript();
  if (language === 'json') return json();
  return [];
}

const theme = codeFrame({ minHeight: '8rem' });

const pageTheme = EditorView.theme({ '.cm-scroller': { minHeight: '24rem', maxHeight: '70vh' } });

const readOnlyTheme = EditorView.theme({ '&': { backgroundColor: 'rgb(var(--tw-slate-50))', color: 'rgb(var(--tw-slate-600))' } });

export function CodeEditor({
  value, language, label, id, invalid, describedBy, readOnly = false, error = null, size = 'field', onChange, onBlur,
}: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const languageSlot = useRef(new Compartment());
  const dark = useTheme() === 'dark';
  const darkness = useRef(darkSlot());
  const external = useRef(false);
  const changed = useEffectEvent((text: string) => onChange(text));
  const blurred = useEffectEvent(() => onBlur?.());
  // The editor is made once, from the props of that moment; value and language changes are applied by the effects
  // below.
  const initialProps = useEffectEvent(() => ({ value, language, label, id, describedBy, readOnly, size, dark }));

  useEffect(() => {
    const { value, language, label, id, describedBy, readOnly, size, dark } = initialProps();
    const editor = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: [
          lineNumbers(),
          history(),
          drawSelection(),
          highlightActiveLine(),
          indentOnInput(),
          bracketMatching(),
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          codeHighlighting,
          darkness.current.of(darkMode(dark)),
          keymap.of([...defaultKeymap, ...historyKeymap]),
          languageSlot.current.of(languageExtension(language)),
          theme,
          size === 'page' ? Prec.high(pageTheme) : [],
          codeErrorMark,
          EditorState.readOnly.of(readOnly),
          EditorView.editable.of(!readOnly),
          readOnly ? Prec.highest(readOnlyTheme) : [],
          EditorView.lineWrapping,
          EditorView.contentAttributes.of({ 'aria-label': label, ...(id ? { id } : {}), ...(describedBy ? { 'aria-describedby': describedBy } : {}) }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged && !external.current) changed(update.state.doc.toString());
            if (update.focusChanged && !update.view.hasFocus) blurred();
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
    view.current?.dispatch({ effects: languageSlot.current.reconfigure(languageExtension(language)) });
  }, [language]);

  useEffect(() => {
    view.current?.dispatch({ effects: darkness.current.reconfigure(darkMode(dark)) });
  }, [dark]);

  useEffect(() => {
    view.current?.dispatch({ effects: setCodeError.of(error) });
  }, [error]);

  return <div ref={host} data-code-language={language} aria-invalid={error ? true : invalid} className={invalid ? 'rounded ring-1 ring-red-500' : ''} />;
}
