// ESLint (flat config) with typescript-eslint: the recommended rules, plus the type-aware rules
// that catch what matters most in a Worker — a promise nobody awaits (the isolate may stop before
// it settles), a promise passed where a plain value is expected, and a switch that forgets a case.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['node_modules/', '.wrangler/', 'dist/', 'worker-configuration.d.ts', 'test/fixtures/', 'migrations/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx,mts}'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // A leading underscore marks a value left out on purpose (a destructured field, an unused parameter).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
    },
  },
  {
    // Tests read platform and API answers as loose JSON; a type per answer would only restate the assertion.
    files: ['test/**/*.{ts,tsx}', 'scripts/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  // Layers (README, "How it is built"): routes and dashboard pages are transport over use cases and
  // read models; a connector sees only the ports of its context; core and the order model stand alone.
  {
    files: ['src/routes/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'drizzle-orm', message: 'Routes read through a read model or call a use case.' }],
          patterns: [{ group: ['**/db/schema'], message: 'Routes read through a read model or call a use case.' }],
        },
      ],
    },
  },
  {
    files: ['src/connectors/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['drizzle-orm', 'cloudflare:workers'].map((name) => ({
            name,
            message: 'A connector uses the ports of its ConnectorContext (src/connector-runtime/ builds them).',
          })),
          patterns: [
            {
              group: ['**/db/*', '**/env', '**/queue/*', '**/connector-runtime/*', '**/routes/*'],
              message: 'A connector uses the ports of its ConnectorContext (src/connector-runtime/ builds them).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['../*'], message: 'src/core/ depends on nothing else of Kontor.' }] },
      ],
    },
  },
  {
    files: ['src/orders/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/queue/*'], message: 'The order model names the port it needs (see record-event.ts).' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: {
      globals: {
        Response: 'readonly',
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        AbortSignal: 'readonly',
        Buffer: 'readonly',
      },
    },
  }
)
