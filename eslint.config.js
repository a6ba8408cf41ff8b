// ESLint for the whole repository: `npm run lint` (CI runs it before the tests).
// Syntax-only presets (no type-checked rules) keep a full run fast; the layer rules at the end are the import table
// in docs/architecture.md ("Layers and the import table"): change both together.
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const root = fileURLToPath(new URL('.', import.meta.url));

const tests = ['**/*.test.ts', '**/*.test.tsx'];

// Node's own modules, with and without the `node:` prefix (`fs`, `fs/promises`, `node:test`, ...).
const nodeBuiltins = {
  regex: `^(node:|(${builtinModules.filter((name) => !name.startsWith('_')).join('|')})(/|$))`,
  message: 'Browser-safe code: no Node built-in modules (see "Layers and the import table" in docs/architecture.md).',
};

/** A no-restricted-paths zone for the files of the config block it sits in (`target` is every file; ESLint's
 * `files`/`ignores` pick the layer). */
const zone = (from, message, except) => ({
  target: '.',
  from,
  ...(except ? { except } : {}),
  message: `${message} (see "Layers and the import table" in docs/architecture.md).`,
});
const layerRules = (zones, restrictedImports = []) => ({
  'import-x/no-restricted-paths': ['error', { basePath: root, zones }],
  'no-restricted-imports': restrictedImports.length ? ['error', { patterns: restrictedImports }] : 'off',
});

// The repository's top-level code folders; a layer may import from domain/ and the folders it names.
const layers = ['domain', 'server', 'nodes', 'editor', 'app', 'scripts', 'bench', 'e2e', 'flows'];
const notDomainOr = (...allowed) => layers.filter((layer) => layer !== 'domain' && !allowed.includes(layer));

// The node files the editor (a browser bundle) may load: definitions, not runtimes.
const nodeDefinitionFiles = ['nodes/**/*.def.ts', 'nodes/{definitions.ts,kit/**}'];
// (All globs: import-x/no-restricted-paths takes a `from` list of globs or of folders, not both.)
const nodeRuntimeFiles = [
  'nodes/**/*.runtime.ts',
  'nodes/kit/**/*runtime*',
  'nodes/kit/{register-nodes,build-node-package,node-test-harness}.ts',
];
/** Zones that keep browser code to the node definitions: nothing in nodes/ outside them (nodes/index.ts), and none
 * of the runtime files that sit among them in nodes/kit/. (A glob zone's exceptions are matched as absolute paths.) */
const onlyNodeDefinitions = (message) => [
  zone(['nodes/**'], message, nodeDefinitionFiles.map((glob) => path.join(root, glob))),
  zone(nodeRuntimeFiles.filter((glob) => glob.startsWith('nodes/kit/')), message),
];

export default defineConfig([
  globalIgnores(['dist/', 'coverage/', '.vitest-results/', 'data/', 'bench/results/', 'e2e/artifacts/']),

  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `_next` keeps an Express error handler's four parameters; `{ omitted: _, ...rest }` drops a field.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // The server's code is moving from synchronous SQLite calls to promises (cluster mode): a call whose promise is
    // dropped runs out of order and its failure goes unseen. Type information tells a promise from a value. (domain/
    // is browser-safe code, but its tests drive the server's.)
    files: ['server/**/*.ts', 'nodes/**/*.ts', 'flows/**/*.ts', 'scripts/**/*.ts', 'domain/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true } },
    rules: { '@typescript-eslint/no-floating-promises': 'error' },
  },
  {
    files: ['app/**', 'editor/**'],
    ignores: tests,
    languageOptions: { globals: globals.browser },
  },
  {
    files: ['app/**/*.{ts,tsx}', 'editor/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat.recommended,
  },

  // Import cycles (type-only imports do not count: they vanish at run time).
  {
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'] })],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },

  // Layers. A file takes a rule's options from the last block that matches it, so a narrower block that follows a wider
  // one (node definitions after nodes/, server/testing/ after server/) repeats the wider one's zones. Test files and
  // scripts/, bench/, e2e/, flows/ may import anything.
  {
    files: ['domain/**'],
    ignores: tests,
    rules: layerRules(
      [zone('.', 'domain/ imports only domain/', ['domain', 'node_modules'])],
      [
        {
          regex: '^(?!\\.|(@sinclair/typebox|ajv|ajv-formats)(/|$))',
          message:
            'domain/ imports only domain/ and the browser-safe @sinclair/typebox, ajv and ajv-formats (see "Layers and the import table" in docs/architecture.md).',
        },
      ],
    ),
  },
  {
    files: ['nodes/**'],
    ignores: tests,
    rules: layerRules([zone(notDomainOr('nodes'), 'Nodes import only domain/ and nodes/')]),
  },
  {
    files: nodeDefinitionFiles,
    ignores: [...tests, ...nodeRuntimeFiles],
    rules: layerRules(
      [
        zone(notDomainOr('nodes'), 'Node definitions are browser-safe: they import only domain/ and nodes/'),
        ...onlyNodeDefinitions('Node definitions are browser-safe: they import no node runtime'),
      ],
      [nodeBuiltins],
    ),
  },
  {
    files: ['editor/**'],
    ignores: tests,
    rules: layerRules(
      [
        zone(notDomainOr('editor', 'nodes'), 'The editor imports only domain/, editor/ and node definitions'),
        ...onlyNodeDefinitions('The editor (a browser bundle) imports node definitions, not node runtimes'),
      ],
      [nodeBuiltins],
    ),
  },
  {
    files: ['app/**'],
    ignores: tests,
    rules: layerRules([zone(notDomainOr('app', 'editor'), 'The app imports only domain/, app/ and editor/')], [nodeBuiltins]),
  },
  {
    files: ['server/**'],
    ignores: tests,
    rules: layerRules([
      zone(notDomainOr('server', 'nodes'), 'The server imports only domain/, server/ and nodes/'),
      zone('server/testing', 'server/testing/ is test support: only tests import it'),
    ]),
  },
  {
    files: ['server/testing/**'],
    rules: layerRules([zone(notDomainOr('server', 'nodes'), 'The server imports only domain/, server/ and nodes/')]),
  },

  // Every word the UI shows comes from a message catalog in both languages (app/src/i18n/messages.ts): English text
  // written straight into JSX, or into the attributes people read, is a string the Chinese UI would show untranslated.
  {
    files: ['app/**/*.tsx', 'editor/**/*.tsx'],
    ignores: tests,
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'JSXText[value=/[A-Za-z]{2,}/]:not([value=/^\\s*Thingwire\\s*$/])',
          message: 'Untranslated text: put it in the area\'s *.messages.ts catalog (English and Chinese) and show t(\'key\').',
        },
        {
          selector: 'JSXAttribute[name.name=/^(title|aria-label|placeholder|alt|label|hint|description|heading|subtitle|emptyText|what|confirmLabel|tooltip)$/] > Literal[value=/[A-Za-z]{2,}/]',
          message: 'Untranslated attribute: put it in the area\'s *.messages.ts catalog (English and Chinese) and pass t(\'key\').',
        },
        ...['consequent', 'alternate'].flatMap((branch) => [
          `:matches(JSXElement, JSXFragment) > JSXExpressionContainer ConditionalExpression:not(CallExpression ConditionalExpression, JSXAttribute ConditionalExpression, TemplateLiteral > ConditionalExpression) > Literal.${branch}[value=/[A-Za-z]{2,}/]`,
          `JSXAttribute[name.name=/^(title|aria-label|placeholder|alt|label|hint|description|heading|subtitle|emptyText|what|confirmLabel|tooltip)$/] ConditionalExpression:not(CallExpression > ConditionalExpression, ConditionalExpression > ConditionalExpression) > Literal.${branch}[value=/[A-Za-z]{2,}/]`,
        ]).map((selector) => ({
          selector,
          message: 'Untranslated text: put it in the area\'s *.messages.ts catalog (English and Chinese) and show t(\'key\').',
        })),
        {
          selector: 'JSXExpressionContainer > Literal[value=/[A-Za-z]{2,} [A-Za-z]/]',
          message: 'Untranslated text: put it in the area\'s *.messages.ts catalog (English and Chinese) and show t(\'key\').',
        },
      ],
    },
  },
]);
