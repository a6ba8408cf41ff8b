/** Types of bundle.mjs (plain JavaScript, so that `npm start` loads it without tsx). */
export declare const DEFAULT_BUNDLE_DIR: string;
export declare function bundle(entry: URL, dir?: string): Promise<URL>;
