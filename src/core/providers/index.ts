export * from './types';
export { DEFAULT_PRICES, NO_SPEND, PRICES_SOURCE, addSpend, costOf, defaultPrice, spendOf, totalSpend, type SpendSplit, type TokenUsage } from './prices';
export { ProviderRegistry, PROVIDERS_DOCUMENT, normalizeBaseUrl, toProviderView, type ProviderEvent, type ProviderInput, type ProviderPatch } from './registry';
export { KeyRejectedError, authHeaders, fetchProviderModels, providerErrorMessage } from './models-endpoint';
export {
  ProviderPool,
  PROVIDER_USAGE_DOCUMENT,
  PROVIDER_SERVER_RETRIES,
  candidateStages,
  parseProviderRef,
  priceOf,
  type CapName,
  type CapRefusal,
  type FailureDecision,
  type ProviderCandidate,
  type ProviderPolicy,
  type ProviderUsageToday,
} from './provider-pool';
