/** Command ids, as contributed in package.json (`contributes.commands`); tests list them from there. */
export const COMMANDS = {
  start: 'agate.start',
  stop: 'agate.stop',
  toggle: 'agate.toggle',
  addAccountGoogle: 'agate.addAccountGoogle',
  addAccountRefreshToken: 'agate.addAccountRefreshToken',
  importAccounts: 'agate.importAccounts',
  manageAccounts: 'agate.manageAccounts',
  addApiKeyProvider: 'agate.addApiKeyProvider',
  manageApiKeyProviders: 'agate.manageApiKeyProviders',
  openDashboard: 'agate.openDashboard',
  openClaudeTerminal: 'agate.openClaudeTerminal',
  copyBaseUrl: 'agate.copyBaseUrl',
  copyApiKey: 'agate.copyApiKey',
  rotateApiKey: 'agate.rotateApiKey',
  showLogs: 'agate.showLogs',
  openWalkthrough: 'agate.openWalkthrough',
  connectClient: 'agate.connectClient',
  useTeamGateway: 'agate.useTeamGateway',
  stopUsingTeamGateway: 'agate.stopUsingTeamGateway',
  joinTeam: 'agate.joinTeam',
  leaveTeam: 'agate.leaveTeam',
  switchIdeAccount: 'agate.switchIdeAccount',
  switchIdeAccountBest: 'agate.switchIdeAccountBest',
  undoIdeSwitch: 'agate.undoIdeSwitch',
  /** The status bar item's click: a quick pick of the common actions. */
  showMenu: 'agate.showMenu',
} as const;

/** `publisher.name` from package.json. */
export const EXTENSION_ID = 'agate.agate';
/** `<extension id>#<walkthrough id>`, as `workbench.action.openWalkthrough` takes it. */
export const WALKTHROUGH_ID = `${EXTENSION_ID}#gettingStarted`;
export const TERMINAL_PROFILE_ID = 'agate.claudeCode';
