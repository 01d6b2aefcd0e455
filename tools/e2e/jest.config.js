module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'e2e',
  // End-to-end suites start whole programs: no coverage of their own sources here.
  coverageThreshold: undefined,
  testTimeout: 180000,
};
