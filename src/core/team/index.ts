export { createTeam, createTeamIfConfigured, type Team, type TeamHealth, type TeamOptions } from './team';
export { createTeamConnection, describeRedisUrl, type TeamConnection, type TeamMessage } from './connection';
export { listInstances, type InstanceInfo } from './heartbeat';
export { createSealer, type Sealer } from './sealer';
