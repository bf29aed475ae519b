export { CONNECT_CLIENTS, connectClient, type ConnectClient, type ConnectClientId, type ConnectEnvironment, type ConnectValues } from './clients';
export { applyConnect, BACKUP_SUFFIX, maskKey, planConnect, undoConnect, type ConnectPlan, type FilePlan, type UndoResult } from './connect';
export { readSetting, SettingsFileError } from './documents';
