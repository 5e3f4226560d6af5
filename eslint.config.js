// ESLint with type information (typescript-eslint's recommended type-checked rules);
// formatting is Prettier's (eslint-config-prettier turns off the rules it owns).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.sst/', '.data/', 'sst.config.ts', 'bench/results.json'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // A name starting with `_` is left out on purpose (a destructured field dropped).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  {
    // The in-memory adapters keep the ports' contract: every method returns a promise
    // (and a throw becomes a rejection) though nothing in memory is awaited.
    files: ['adapters/memory/**'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },
  {
    // Tests read JSON bodies (typed any) and assert their shape with expect(); stand-ins
    // implement async ports without awaiting; expect(obj.method) passes methods unbound.
    files: ['test/**'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/unbound-method': 'off',
      // Tests throw and reject odd values (strings, undefined) on purpose.
      '@typescript-eslint/prefer-promise-reject-errors': 'off',
    },
  },
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
  prettier,
);
