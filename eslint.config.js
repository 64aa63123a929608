// Lint rules: typescript-eslint's type-aware recommended set, warnings fail the run (--max-warnings 0).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        project: ['./tsconfig.check.json', './src/explorer/tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      // src/errors.ts's ErrorCodeRegistry starts empty: each domain adds its codes by declaration merging.
      '@typescript-eslint/no-empty-object-type': ['error', { allowWithName: 'Registry$' }],
      'no-restricted-imports': 'off',
    },
  },
  {
    // Protocol and crypto interface code must stay browser-safe: no node: built-ins.
    files: [
      'src/errors.ts',
      'src/protocol/**/*.ts',
      'src/crypto/interface.ts',
      'src/crypto/noble.ts',
      'src/crypto/sha256.ts',
      'src/crypto/constantTime.ts',
      'src/crypto/keystore.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['node:*'], message: 'protocol code is browser-safe: no node: imports' }] },
      ],
    },
  },
  {
    // The browser explorer may use the protocol code and the noble BLS backend, nothing of the node.
    files: ['src/explorer/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'the explorer runs in a browser: no node: imports' },
            {
              group: ['@chainsafe/*', '**/crypto/blst.js'],
              message: 'the explorer verifies with @noble/curves (crypto/noble.ts), not native blst',
            },
            {
              group: [
                '../api/*',
                '!../api/json.js',
                '../node/*',
                '../chain/*',
                '../store/*',
                '../mempool/*',
                '../miner/*',
                '../network/*',
                '../cli/*',
                '../wallet/*',
                '../workers/*',
              ],
              message:
                'the explorer may import only protocol/, crypto/{interface,noble} and the API types in api/json.ts',
            },
          ],
        },
      ],
    },
  },
  {
    // The network works with the ports of chain/interface.ts and mempool/interface.ts, not the node.
    files: ['src/network/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/node/*', '**/store/*'],
              message: 'the network takes ports (ChainReader, BlockSink, TransferPool): no node/ or store/ imports',
            },
          ],
        },
      ],
    },
  },
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
);
