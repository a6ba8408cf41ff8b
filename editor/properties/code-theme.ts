/**
 * CodeMirror in the app's theme: its frame, gutters and text take the palette's variables (vite.theme.ts), so they
 * turn over with the page, and the syntax colours switch to a set readable on dark when the app is dark.
 */
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { Compartment, type Extension } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { tags } from '@lezer/highlight';

const color = (name: string) => `rgb(var(--tw-${name}))`;

/** The editor's frame in palette colours, its scroller as tall as the place needs. */
export function codeFrame({ minHeight, maxHeight = '24rem', radius = '4px' }: { minHeight: string; maxHeight?: string; radius?: string }): Extension {
  return EditorView.theme({
    '&': { fontSize: '12px', border: `1px solid ${color('slate-300')}`, borderRadius: radius, backgroundColor: color('white'), color: color('slate-900') },
    '&.cm-focused': { outline: `2px solid ${color('sky-600')}`, outlineOffset: '-1px' },
    '.cm-scroller': { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, monospace', minHeight, maxHeight },
    '.cm-gutters': { backgroundColor: color('slate-50'), color: color('slate-400'), borderRight: `1px solid ${color('slate-200')}` },
    '.cm-activeLine': { backgroundColor: 'rgb(var(--tw-sky-50) / 0.6)' },
    '.cm-activeLineGutter': { backgroundColor: color('slate-100') },
    '.cm-cursor': { borderLeftColor: color('slate-900') },
    '&.cm-focused .cm-selectionBackground, .cm-selectionBackground': { backgroundColor: 'rgb(var(--tw-sky-200) / 0.7)' },
  });
}

/** Syntax colours for a dark editor (CodeMirror's default set is for light ones and stays the fallback). */
const darkHighlight = HighlightStyle.define([
  { tag: tags.keyword, color: '#c792ea' },
  { tag: [tags.atom, tags.bool, tags.null], color: '#f78c6c' },
  { tag: tags.number, color: '#f78c6c' },
  { tag: [tags.string, tags.special(tags.string)], color: '#c3e88d' },
  { tag: [tags.regexp, tags.escape], color: '#89ddff' },
  { tag: tags.definition(tags.variableName), color: '#82aaff' },
  { tag: [tags.function(tags.variableName), tags.function(tags.propertyName)], color: '#82aaff' },
  { tag: tags.propertyName, color: '#ffcb6b' },
  { tag: [tags.typeName, tags.className], color: '#ffcb6b' },
  { tag: [tags.comment, tags.lineComment, tags.blockComment], color: '#8b9bb4', fontStyle: 'italic' },
  { tag: tags.invalid, color: '#ff5370' },
  { tag: [tags.operator, tags.punctuation, tags.bracket], color: '#cbd5e1' },
], { themeType: 'dark' });

/** The syntax colours of both themes; which one applies follows {@link darkMode}. */
export const codeHighlighting: Extension = syntaxHighlighting(darkHighlight);

/** A compartment holding whether the editor is dark, for {@link darkMode}. */
export const darkSlot = () => new Compartment();

/** The extension saying the editor is dark (or not), which picks the syntax colours. */
export const darkMode = (dark: boolean): Extension => EditorView.darkTheme.of(dark);
