/**
 * What this monorepo's own host and suites use beyond the public API: plumbing the package
 * does not export (`package.json` `exports` names only `.` and `./gateway`), so nothing here
 * is a promise to anyone else. One seam, so the host never reaches into the library's files.
 *
 * @internal
 */
export { REDIS_KEY_PREFIX_PATTERN } from './approval-events.constants';
export { exceedsNestingDepth } from './validation/nesting-depth';
export {
  GATEWAY_CONNECT_TIMEOUT_MS,
  GATEWAY_CONNECT_WINDOW_SECONDS,
  GATEWAY_CONNECTS_PER_IP,
  GATEWAY_MAX_MESSAGE_BYTES,
  GATEWAY_MAX_SUBSCRIPTIONS,
  GATEWAY_MAX_TRANSPORTS_PER_IP,
  GATEWAY_PUBLISHES_PER_SECOND,
  GATEWAY_PUBLISHES_PER_SECOND_PER_IP,
} from './gateway/gateway.constants';
