export {
  ApprovalsClientEnvironment,
  busWorkspacesFrom,
  listFrom,
  LOG_LEVELS,
  logLevelsFrom,
  type LogLevelName,
  OptionalSecret,
  URL_OPTIONS,
  validateEnvironmentAs,
} from './environment';
