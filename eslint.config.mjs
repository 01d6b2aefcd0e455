import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import js from '@eslint/js';
import globals from 'globals';

export default [
  {
    ignores: [
      '**/dist',
      '**/node_modules',
      '**/coverage',
      '.nx',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
      // The status page's browser code is linted (below), not ignored.
      '!apps/manager/page/*.js',
    ],
  },
  ...tseslint.configs.recommended,
  prettier,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: [],
          depConstraints: [
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: ['type:lib', 'type:types', 'type:test'],
            },
            {
              sourceTag: 'type:lib',
              onlyDependOnLibsWithTags: ['type:lib', 'type:types', 'type:test'],
            },
            {
              sourceTag: 'type:test',
              onlyDependOnLibsWithTags: ['type:lib', 'type:types', 'type:test'],
            },
            { sourceTag: 'type:types', onlyDependOnLibsWithTags: ['type:none'] },
            { sourceTag: 'lib:store', notDependOnLibsWithTags: ['lib:providers'] },
            // The HTTP contract stands on the wire types alone: no store, no providers.
            { sourceTag: 'lib:client', onlyDependOnLibsWithTags: ['type:types', 'type:test'] },
            { sourceTag: 'lib:providers', notDependOnLibsWithTags: ['lib:store'] },
          ],
        },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports only.' },
      ],
    },
  },
  {
    // Libraries never print or end the process: they take a logger and throw typed errors.
    files: ['packages/*/src/**/*.ts'],
    ignores: ['packages/test-utils/**'],
    rules: {
      'no-console': 'error',
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'exit', message: 'Libraries throw; only apps exit.' },
      ],
    },
  },
  {
    // Production code never imports the private test fixtures.
    files: ['packages/*/src/**/*.ts', 'apps/*/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['@tunasync/test-utils'], message: 'test-utils is for tests only.' }],
        },
      ],
    },
  },
  {
    // The status page's browser code (apps/manager/page): a plain script, inlined into the
    // page as it is, run by browsers only.
    files: ['apps/manager/page/**/*.js'],
    languageOptions: {
      ecmaVersion: 2020,
      sourceType: 'script',
      globals: { ...globals.browser },
    },
    rules: {
      ...js.configs.recommended.rules,
      '@typescript-eslint/no-require-imports': 'off',
      'no-restricted-globals': ['error', 'eval'],
      'no-restricted-properties': [
        'error',
        { property: 'innerHTML', message: 'Values reach the DOM as text only.' },
        { property: 'outerHTML', message: 'Values reach the DOM as text only.' },
        { property: 'insertAdjacentHTML', message: 'Values reach the DOM as text only.' },
      ],
    },
  },
];
