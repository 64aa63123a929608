// Lint rules: typescript-eslint's type-aware recommended set, warnings fail the run (--max-warnings 0).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The architecture as lint: which folders of src/ each folder may import. Data flows one way,
 * edges -> mempool/chain -> store, with protocol and crypto at the bottom; every import of a
 * floor not listed is an error. Read it as a picture of the layers (README, "Architecture").
 */
const MAY_IMPORT = {
  errors: [],
  crypto: ['errors'],
  protocol: ['errors', 'crypto'],
  workers: ['errors'],
  store: ['errors', 'crypto', 'protocol', 'workers'],
  chain: ['errors', 'crypto', 'protocol', 'workers', 'store'],
  mempool: ['errors', 'crypto', 'protocol', 'workers', 'store', 'chain'],
  miner: ['errors', 'crypto', 'protocol', 'workers', 'chain', 'mempool'],
  network: ['errors', 'crypto', 'protocol', 'workers', 'chain', 'mempool'],
  api: ['errors', 'crypto', 'protocol', 'chain', 'mempool', 'miner'],
  wallet: ['errors', 'crypto', 'protocol', 'api/json'],
  explorer: ['errors', 'crypto/interface', 'crypto/noble', 'protocol', 'api/json'],
  node: ['errors', 'crypto', 'protocol', 'workers', 'store', 'chain', 'mempool', 'miner', 'network', 'api'],
  cli: [
    'errors',
    'crypto',
    'protocol',
    'workers',
    'store',
    'chain',
    'mempool',
    'miner',
    'network',
    'api',
    'wallet',
    'node',
  ],
};

/** Code that also runs in a browser (the explorer loads it): no node: built-ins. */
const BROWSER_SAFE = [
  'src/errors.ts',
  'src/protocol/**/*.ts',
  'src/crypto/interface.ts',
  'src/crypto/noble.ts',
  'src/crypto/sha256.ts',
  'src/crypto/constantTime.ts',
  'src/crypto/keystore.ts',
  'src/crypto/group/**/*.ts',
  'src/explorer/**/*.ts',
];

function layerPatterns(floor) {
  const allowed = MAY_IMPORT[floor];
  const banned = Object.keys(MAY_IMPORT).filter((f) => f !== floor && !allowed.includes(f));
  const group = banned.map((f) => (f === 'errors' ? '**/errors.js' : `**/${f}/**`));
  // A folder allowed only in part ('api/json'): the rest of that folder stays banned.
  for (const part of allowed.filter((a) => a.includes('/'))) {
    const [dir] = part.split('/');
    if (!group.includes(`**/${dir}/**`)) group.push(`**/${dir}/**`);
    group.push(`!**/${part}.js`);
  }
  if (floor === 'errors') group.push('./*', '../*');
  return group.length === 0
    ? []
    : [
        {
          group,
          message: `layering: src/${floor} may import only ${allowed.join(', ') || 'nothing of src/'} (eslint.config.js, MAY_IMPORT)`,
        },
      ];
}

const NODE_BUILTINS = { group: ['node:*'], message: 'browser-safe code (the explorer loads it): no node: imports' };
const NATIVE_BLS = {
  group: ['@chainsafe/*'],
  message: 'the explorer verifies with @noble/curves (crypto/noble.ts), not native blst',
};

function layering() {
  const configs = [];
  for (const floor of Object.keys(MAY_IMPORT)) {
    const files = floor === 'errors' ? ['src/errors.ts'] : [`src/${floor}/**/*.ts`];
    const patterns = layerPatterns(floor);
    configs.push({ files, rules: { 'no-restricted-imports': ['error', { patterns }] } });
    // Browser-safe files of this floor: the same rule with node: built-ins banned too (a later
    // config's rule replaces an earlier one's for the files both match).
    const safe = BROWSER_SAFE.filter((f) => f === files[0] || f.startsWith(`src/${floor}/`));
    const extra = floor === 'explorer' ? [NODE_BUILTINS, NATIVE_BLS] : [NODE_BUILTINS];
    if (safe.length > 0)
      configs.push({
        files: safe,
        rules: { 'no-restricted-imports': ['error', { patterns: [...patterns, ...extra] }] },
      });
  }
  return configs;
}

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
  ...layering(),
  { files: ['eslint.config.js', 'scripts/*.mjs'], ...tseslint.configs.disableTypeChecked },
);
