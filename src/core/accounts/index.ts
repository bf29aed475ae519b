export {
  createAccountPool,
  type AccountPool,
  type AccountPoolOptions,
  type AccountPoolEvents,
  type AddedAccount,
  type ImportReport,
  type PoolStats,
} from './pool';
export { createOAuthClient, OAUTH_SCOPES, type OAuthClient, type OAuthClientOptions, type OAuthSettings, type OAuthTokens } from './oauth';
export { AccountSetupError, type SetupStep } from './setup';
export { SignInError, DEFAULT_SIGN_IN_PORTS, CALLBACK_PATH, type SignInOptions, type SignInSession } from './sign-in';
export { parseAccountImport, ImportFormatError, type ImportEntry, type ParsedImport } from './import';
export { refreshTokenKey, ACCOUNTS_DOCUMENT } from './account-store';
export type { AccountView, AccountModelView, AccountState, AccountRecord, ModelLimit, Plan, SchedulableAccounts } from './types';
