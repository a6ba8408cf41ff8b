/**
 * The app's i18n core (app/src/i18n), for the editor: its catalogs (`*.messages.ts`) and components import the
 * translator from here. The layer rules keep the editor off app/; this one file is the exception, so the editor and
 * the app speak one locale and share the common words.
 */
// eslint-disable-next-line import-x/no-restricted-paths -- the i18n core is shared by the app and the editor (see above)
export { formatNumber, translator, type Translate } from '../app/src/i18n/messages.ts';
// eslint-disable-next-line import-x/no-restricted-paths -- as above
export { tc } from '../app/src/i18n/common.messages.ts';
// eslint-disable-next-line import-x/no-restricted-paths -- as above
export { currentLocale } from '../app/src/i18n/locale.ts';
// eslint-disable-next-line import-x/no-restricted-paths -- as above
export { useLocale } from '../app/src/i18n/use-locale.ts';
// eslint-disable-next-line import-x/no-restricted-paths -- as above
export { richText } from '../app/src/i18n/rich.tsx';
// eslint-disable-next-line import-x/no-restricted-paths -- as above: times in the user's locale and time zone
export { formatTime } from '../app/src/ui/time-format.ts';
