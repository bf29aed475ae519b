export {
  locateInstallations,
  dbPathOf,
  userDataDirArg,
  productOfExecutable,
  IDE_PRODUCTS,
  type IdeInstallation,
  type IdeProduct,
  type LocateEnvironment,
} from './installations';
export { systemProcessTable, processesOf, closeInstallation, IdeProcessError, type ProcessInfo, type ProcessTable, type Relaunch } from './processes';
export { StateDbError } from './state-db';
export { StateFormatError, STATE_KEYS } from './state-format';
export {
  inspectInstallation,
  switchIdeAccount,
  undoIdeSwitch,
  prepareDeferredSwitch,
  runDeferredSwitch,
  readSignIn,
  IdeSwitchError,
  IDE_OAUTH_CLIENT_ID,
  type IdeCredentials,
  type InstallationReport,
  type SwitchResult,
  type UndoResult,
  type DeferredSwitchJob,
} from './switcher';
export {
  scoreAccounts,
  bestAccount,
  describeFamilies,
  parseFamilies,
  SCORE_EXPLANATION,
  MODEL_FAMILIES,
  FAMILY_TITLES,
  type AccountScore,
  type ModelFamilyId,
} from './score';
export { findInstallations } from './discover';
export { startDeferredSwitch, type StartedHelper } from './deferred';
