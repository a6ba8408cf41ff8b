/**
 * A worker thread starts from the bundle of its TypeScript module (bundle.mjs): a thread that loads TypeScript
 * through tsx spends about half a second of CPU starting, the bundle a tenth of that.
 */
export { bundle as threadBundle, DEFAULT_BUNDLE_DIR } from './bundle.mjs';
