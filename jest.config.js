// One Jest configuration for the whole monorepo: tests sit beside the code.
// Suffixes pick the kind: *.spec.ts (unit, no I/O), *.int.spec.ts (real Kafka/Redis),
// *.e2e.spec.ts (all services as processes), *.chaos.spec.ts (break things on purpose).
// tools/test.mjs selects kinds; the integration kinds share one global stack.
const { compilerOptions } = require('./tsconfig.base.json');

const moduleNameMapper = {};
for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
  moduleNameMapper[`^${alias}$`] = `<rootDir>/${target}`;
}

const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];

/** @type {import('jest').Config} */
module.exports = {
  rootDir: __dirname,
  // Node environment whose typed arrays are the host realm's, so onnxruntime-node's instanceof checks pass.
  testEnvironment: '<rootDir>/libs/models/testing/onnx-environment.js',
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper,
  testMatch: ['<rootDir>/{apps,libs,demo,tools,tests}/**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  globalSetup: '<rootDir>/libs/testing/src/jest/global-setup.ts',
  globalTeardown: '<rootDir>/libs/testing/src/jest/global-teardown.ts',
  testTimeout: 30_000,
};
