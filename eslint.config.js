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
  patterns: [{ group: ['node:*'], message: 'The renderer is sandboxed: no Node built-ins.' }],
};

export default ts.config(
  { ignores: ['dist/**', 'node_modules/**', 'artifacts/**', 'release/**', 'test/fixtures/**'] },
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
    files: ['protocol/**'],
    rules: { 'no-restricted-imports': ['error', rendererRestrictions] },
  },
  {
    files: ['electron/core/**', 'electron/browser-shell/**', 'server/**'],
    languageOptions: { globals: globals.node },
    rules: { 'no-restricted-imports': ['error', { paths: [noElectron] }] },
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
