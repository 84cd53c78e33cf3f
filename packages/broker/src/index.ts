export { RillNode, rillVersion } from './rill-node.js';
export { loadConfig, loadConfigFile, type ConfigInputs } from './config/load-config.js';
export { BrokerConfig } from './config/broker-config.js';
export { ConfigError } from './config/config-error.js';
export { propertyDefinitions, type PropertyDefinition } from './config/definitions.js';
export { renderConfigurationReference } from './config/reference-doc.js';
export { buildHandlerRegistry } from './handlers/registry.js';
export { createNodeLogger } from './observability/logger.js';
