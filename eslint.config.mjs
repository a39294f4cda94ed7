import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import vue from 'eslint-plugin-vue'
import globals from 'globals'
import layering from './scripts/lint/layering.mjs'

/** Globals that would give shared/ a clock, a timer, global randomness, I/O or a host. */
const impureGlobals = [
  'Date',
  'setTimeout',
  'setInterval',
  'setImmediate',
  'clearTimeout',
  'clearInterval',
  'clearImmediate',
  'queueMicrotask',
  'performance',
  'process',
  'Buffer',
  'require',
  'global',
  'window',
  'document',
  'navigator',
  'fetch',
  'localStorage',
  'console',
].map((name) => ({ name, message: `shared/ stays pure: no '${name}' (STYLE.md layering)` }))

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'out/**',
      'dist/**',
      '.tmp/**',
      'test-results/**',
      'playwright-report/**',
      'tests/lint/fixtures/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    languageOptions: { globals: { ...globals.node } },
    plugins: { layering },
    rules: {
      'layering/imports': 'error',
      // No import cycles anywhere (docs/architecture.md, "No import cycles").
      'layering/no-cycle': 'error',
      // TypeScript checks names itself (typescript-eslint's advice); no-undef misreads declared globals.
      'no-undef': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/html-indent': 'off',
      'vue/html-closing-bracket-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
    },
  },
  {
    // The `raftlab` launcher is plain CommonJS run by Node as is.
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['shared/**/*.ts'],
    languageOptions: { globals: { ...globals['shared-node-browser'] } },
    rules: {
      'no-restricted-globals': ['error', ...impureGlobals],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'inject a seeded Rng (shared/util/rng)' },
        { object: 'globalThis', message: 'shared/ stays pure: no host globals' },
      ],
    },
  },
  {
    files: ['renderer/**/*.{ts,vue}', 'electron/preload/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-globals': [
        'error',
        ...['process', 'require', 'Buffer', 'global'].map((name) => ({
          name,
          message: `no Node globals here ('${name}'): renderer and preload run sandboxed`,
        })),
      ],
    },
  },
)
