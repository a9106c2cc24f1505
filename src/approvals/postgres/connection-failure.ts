/**
 * Socket errors that mean the database cannot be reached, whatever the query was. `pg`
 * passes them through from `net` (a refused or reset connection, a host that is gone).
 */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs of a server that is there but will not serve: class 08 (connection exception)
 * is matched by prefix; these are the rest. `57014` is a cancelled statement, which with no
 * cancel of our own means `statement_timeout` ran out: the database is not answering in time.
 */
const UNAVAILABLE_SQLSTATES: ReadonlySet<string> = new Set([
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, in recovery)
  '53300', // too_many_connections
  '57014', // query_canceled: statement_timeout
]);

/**
 * `pg` and `pg-pool` give these failures no code, only a message: a connection that ended
 * under a query, a connect that timed out, a checkout that waited too long for a free
 * connection, a client already broken. Matched here, in the driver's own layer, so nothing
 * above the store ever looks at a driver message.
 */
const UNAVAILABLE_MESSAGES: readonly RegExp[] = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect$/,
  /^Client has encountered a connection error and is not queryable$/,
  /^Query read timeout$/,
];

/**
 * Whether `error`, thrown by `pg` or `pg-pool`, means the store is unreachable (so retrying
 * later can help) rather than that the query itself is wrong.
 *
 * @example
 * if (isConnectionFailure(error)) throw new ApprovalsStoreUnavailableError(error);
 */
export function isConnectionFailure(error: unknown): boolean {
  // Shape, not `instanceof`: socket errors come from Node's own realm, which under a VM
  // sandbox (Jest) is not this module's `Error`.
  if (typeof error !== 'object' || error === null) return false;
  const { code, message, errors } = error as {
    code?: unknown;
    message?: unknown;
    errors?: unknown;
  };
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code) || /^08/.test(code)) {
      return true;
    }
  }
  // Connecting to every address of a host can fail as one AggregateError of socket errors.
  if (Array.isArray(errors) && errors.some(isConnectionFailure)) return true;
  return (
    typeof message === 'string' && UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message))
  );
}
