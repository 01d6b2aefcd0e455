export { ConfigLocator } from './config-locator';
export { readConfigText } from './read-config-text';
export { parseToml, readToml } from './toml-document';
export type { TomlDocument } from './toml-document';
