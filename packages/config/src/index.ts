export { ConfigLocator, splitProblem } from './config-locator';
export { parseToml, readToml } from './toml-document';
export type { TomlDocument } from './toml-document';
export { TomlPositions, formatKeyPath } from './toml-positions';
export { tomlSyntaxReason } from './toml-syntax-reason';
export type { TomlSyntaxProblem } from './toml-syntax-reason';
export { quotePath, readConfigText } from './read-config-text';
