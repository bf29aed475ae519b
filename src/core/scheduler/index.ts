export { createDispatcher, type DispatcherOptions } from './dispatcher';
export { createModelCatalog, type ModelCatalogOptions } from './catalog';
export type { SchedulerSettings } from './open-generation';
export { resolveModel, matchAlias, liveModelsOf, type ModelRouting, type ResolvedModel, type LiveModels } from './model-router';
export { DEFAULT_MODEL_ALIASES } from './default-aliases';
export { DispatchError, NO_ACCOUNT_MESSAGE } from './errors';
export { conversationKeyOf } from './conversation';
export { estimateInputTokens } from './token-estimate';
