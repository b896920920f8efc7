import nx from '@nx/eslint-plugin';

// Arrows point one way: core ← store/verify ← tasks ← dataset ← sample/train ← eval ← inspect/pipeline ← apps,
// and core ← model ← sample/train (the model knows tensors and tokens, nothing of questions, stores or datasets).
const layers = {
  core: [],
  store: ['core'],
  verify: ['core'],
  tasks: ['core', 'store', 'verify'],
  dataset: ['core', 'store', 'verify', 'tasks'],
  model: ['core'],
  sample: ['core', 'dataset', 'model', 'store', 'tasks', 'verify'],
  train: ['core', 'dataset', 'model', 'store', 'tasks', 'verify'],
  eval: ['core', 'dataset', 'sample', 'train', 'model', 'store', 'tasks', 'verify'],
  inspect: ['core', 'dataset', 'eval', 'sample', 'train', 'model', 'store', 'tasks', 'verify'],
  pipeline: ['core', 'dataset', 'eval', 'sample', 'train', 'model', 'store', 'tasks', 'verify'],
};
const allLayers = Object.keys(layers).map((l) => `layer:${l}`);

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  { ignores: ['**/node_modules', '**/dist', '.nx', 'data/runs'] },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            ...Object.entries(layers).map(([name, deps]) => ({
              sourceTag: `layer:${name}`,
              onlyDependOnLibsWithTags: [`layer:${name}`, ...deps.map((d) => `layer:${d}`)],
            })),
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: allLayers },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: allLayers },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.name='eval']", message: 'No eval: use the safe arithmetic evaluator.' },
      ],
    },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
];
