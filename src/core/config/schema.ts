/** The JSON Schema the loader checks with ajv: the configuration's definition itself. */
export { configSchema } from './definition';
