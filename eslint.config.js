import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

const nodeBuiltins = [
  'assert',
  'buffer',
  'child_process',
  'cluster',
  'crypto',
  'dgram',
  'dns',
  'events',
  'fs',
  'fs/promises',
  'http',
  'http2',
  'https',
  'module',
  'net',
  'os',
  'path',
  'process',
  'readline',
  'stream',
  'tls',
  'url',
  'util',
  'v8',
  'vm',
  'worker_threads',
  'zlib',
];

/** The layering of docs/architecture.md, as lint rules. */
const noElectron = {
  name: 'electron',
  message: 'Core services, the server and the protocol must run in plain Node: no electron import (see docs/architecture.md).',
};
const rendererRestrictions = {
  paths: [
    { name: 'electron', message: 'The renderer reaches the host only through the host API.' },
    ...nodeBuiltins.map((name) => ({ name, message: 'The renderer is sandboxed: no Node built-ins.' })),
  ],
  patterns: [
    { group: ['node:*'], message: 'The renderer is sandboxed: no Node built-ins.' },
    {
      group: ['**/electron/**', '**/server/**'],
      message: 'The renderer and the protocol reach the host and the server only through protocol/ (see docs/architecture.md).',
    },
  ],
};
/** The core services talk to the server over the sync API in protocol/, never through its modules. */
const noServerModules = {
  group: ['**/server/**'],
  message:
    'Core services and the shells reach the central server only over the sync API in protocol/ (see docs/architecture.md).',
};

export default ts.config(
  { ignores: ['dist/**', 'node_modules/**', '.tsbuild/**', 'artifacts/**', 'release/**', 'test/fixtures/**'] },
  js.configs.recommended,
  ...ts.configs.recommendedTypeChecked,
  ...svelte.configs.recommended,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
        extraFileExtensions: ['.svelte'],
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { parser: ts.parser, svelteConfig },
    },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: globals.browser },
    rules: { 'no-restricted-imports': ['error', rendererRestrictions] },
  },
  {
    // Components render state; the state modules (*.svelte.ts) talk to the host.
    files: ['renderer/**/*.svelte'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...rendererRestrictions,
          patterns: [
            ...rendererRestrictions.patterns,
            { group: ['**/lib/host/*'], message: 'Components reach the host API through a state module in renderer/src/state/.' },
          ],
        },
      ],
    },
  },
  {
    files: ['protocol/**'],
    rules: { 'no-restricted-imports': ['error', rendererRestrictions] },
  },
  {
    files: ['electron/core/**', 'electron/browser-shell/**'],
    languageOptions: { globals: globals.node },
    rules: { 'no-restricted-imports': ['error', { paths: [noElectron], patterns: [noServerModules] }] },
  },
  {
    files: ['server/**'],
    languageOptions: { globals: globals.node },
    rules: { 'no-restricted-imports': ['error', { paths: [noElectron] }] },
  },
  {
    files: ['electron/main/**', 'electron/preload/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noServerModules] }] },
  },
  {
    files: [
      'electron/main/**',
      'electron/preload/**',
      'scripts/**',
      'packaging/**',
      'test/**',
      'bench/**',
      'pbx/**',
      '*.config.ts',
      '*.config.js',
    ],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...ts.configs.disableTypeChecked,
  },
);
