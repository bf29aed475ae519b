export {
  ANY_KEY,
  CONNECT_CLIENTS,
  connectClient,
  gatewayBaseUrl,
  type ConnectClient,
  type ConnectClientId,
  type ConnectEnvironment,
  type ConnectValues,
} from './clients';
export {
  applyConnect,
  BACKUP_SUFFIX,
  hasBackup,
  maskKey,
  ownerEnvironment,
  planConnect,
  undoConnect,
  type ConnectPlan,
  type FilePlan,
  type UndoResult,
} from './connect';
export { readSetting, SettingsFileError } from './documents';
