// Shared jest settings of every project: TypeScript through SWC (type checking is the
// `typecheck` target's job), tests under test/, coverage from src/.
const path = require('node:path');

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  collectCoverageFrom: ['<rootDir>/src/**/*.ts'],
  coverageThreshold: { global: { lines: 80 } },
  coverageDirectory: path.join('<rootDir>', 'coverage'),
  testTimeout: 30000,
  restoreMocks: true,
};
