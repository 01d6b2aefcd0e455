module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'faults',
  roots: ['<rootDir>/test'],
  // The scenarios start whole programs: no coverage of their own sources here.
  coverageThreshold: undefined,
  collectCoverageFrom: [],
  testTimeout: 300000,
};
