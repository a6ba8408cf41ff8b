/**
 * The app's theme (app/src/ui/theme.ts), for the editor's canvas, which draws some colours itself (grid lines, the
 * minimap's mask). Like editor/i18n.ts, the one way the editor reaches into app/: both must show one theme.
 */
// eslint-disable-next-line import-x/no-restricted-paths -- the theme is the app's, shared with the editor (see above)
export { useTheme } from '../app/src/ui/use-theme.ts';
