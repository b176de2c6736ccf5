import js from '@eslint/js'
import tseslint from 'typescript-eslint'

// Type-aware: the rules that need the type checker run on src/ (all of typescript-eslint's recommended type-checked
// set but require-await, which would flag every async implementation of an async interface) and, in test/, the ones
// that find real bugs (a promise nobody awaits, an await of a non-promise, an object printed as [object Object]).
// Tests parse JSON into loose shapes and type it.each tables with assertions, so the no-unsafe-* family and
// no-unnecessary-type-assertion stay off there.
const typed = {parserOptions: {project: './tsconfig.check.json', tsconfigRootDir: import.meta.dirname}}

export default tseslint.config(
  {ignores: ['dist/**', 'node_modules/**', 'coverage/**']},
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        Buffer: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        fetch: 'readonly',
        WebSocket: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_'}],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'platform',
          message: 'Use the platform adapter (src/platform/) instead of process.platform.',
        },
        {
          object: 'performance',
          property: 'now',
          message:
            'Use monotonicMs() (src/core/common/duration.ts): the global performance loads perf_hooks at start-up.',
        },
      ],
    },
  },
  ...tseslint.configs.recommendedTypeCheckedOnly.map((c) => ({...c, files: ['src/**/*.ts']})),
  {
    files: ['src/**/*.ts'],
    languageOptions: typed,
    rules: {'@typescript-eslint/require-await': 'off'},
  },
  {
    files: ['test/**/*.ts'],
    languageOptions: typed,
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-base-to-string': 'error',
    },
  },
  {
    files: ['src/platform/**', 'test/**', 'bench/**', 'bin/**'],
    rules: {'no-restricted-properties': 'off'},
  },
)
