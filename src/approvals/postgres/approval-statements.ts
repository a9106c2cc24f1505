import { EXPIRY_ACTOR, EXPIRY_OUTCOMES } from '../lifecycle/approval-deadline';
import { APPROVAL_COLUMNS } from './approval-row';
import { quoteSchemaName } from './schema-name';

/** Namespace of the open-approvals lock (first key); the second is the (workspace, requester). */
export const OPEN_APPROVALS_LOCK_NAMESPACE = 'approvals.open';

/** `to_char` pattern that formats a UTC timestamp as `toISOString()` does. */
const ISO_8601 = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/** The status each `on_expiry` ends an approval with, as a SQL `CASE`, from the one constant. */
const EXPIRY_STATUS = `CASE a.on_expiry ${Object.entries(EXPIRY_OUTCOMES)
  .map(([policy, status]) => `WHEN '${policy}' THEN '${status}'`)
  .join(' ')} END`;

/**
 * Every statement of the PostgreSQL store, built once per repository for its schema. Each
 * qualifies its tables with the validated schema, so it means the same through any pooler.
 *
 * The database's clock (`now()`) decides whether a deadline has passed, in the sweeper, in a
 * decision and in the cap's count alike: one clock for every replica, so replicas whose clocks
 * disagree still agree on what is overdue. The app's clock only sets `expiresAt` (from
 * `createdAt` + `expiresInMs`) at create.
 */
export function statementsFor(schema: string) {
  const quoted = quoteSchemaName(schema);
  const table = `${quoted}.approvals`;
  const keys = `${quoted}.approval_idempotency_keys`;
  const columns = APPROVAL_COLUMNS.join(', ');
  const returned = APPROVAL_COLUMNS.map((column) => `a.${column}`).join(', ');
  const newestFirst = 'ORDER BY created_at DESC, seq DESC';
  const notOverdue = '(expires_at IS NULL OR expires_at > now())';

  /** Ends the selected pending rows as their `on_expiry` says, in the shape of `expiryDecision`. */
  const expire = (selected: string) => `
    UPDATE ${table} AS a
    SET status = ${EXPIRY_STATUS},
        resolved_by = '${EXPIRY_ACTOR}',
        resolved_at = now(),
        resolution = jsonb_build_object(
          'cause', 'expired',
          'expiresAt', to_char(a.expires_at AT TIME ZONE 'UTC', ${ISO_8601}),
          'onExpiry', a.on_expiry)
    FROM (${selected}) AS due
    WHERE a.workspace_id = due.workspace_id AND a.id = due.id
    RETURNING ${returned}`;

  return {
    insert: `
      INSERT INTO ${table}
        (workspace_id, id, action, payload, requested_by, created_at,
         requester, expires_at, on_expiry, remind_at, requested_for)
      VALUES ($1, $2, $3, $4::jsonb, $5, $6::timestamptz, $7, $8::timestamptz, $9, $10::timestamptz, $11)
      ON CONFLICT (workspace_id, id) DO NOTHING
      RETURNING ${columns}`,
    findOne: `SELECT ${columns} FROM ${table} WHERE workspace_id = $1 AND id = $2`,
    list: `SELECT ${columns} FROM ${table} WHERE workspace_id = $1 ${newestFirst} LIMIT $2`,
    listByStatus: `
      SELECT ${columns} FROM ${table}
      WHERE workspace_id = $1 AND status = $3 ${newestFirst} LIMIT $2`,
    /** A decision after the deadline matches nothing: the deadline wins, even unswept. */
    decide: `
      UPDATE ${table}
      SET status = $3, resolved_by = $4, resolution = $5::jsonb, resolved_at = $6::timestamptz
      WHERE workspace_id = $1 AND id = $2 AND status = 'pending' AND ${notOverdue}
      RETURNING ${columns}`,
    /** The sweeper's batch: rows another replica is ending right now are skipped, not waited for. */
    expireDue: expire(`
      SELECT workspace_id, id FROM ${table}
      WHERE status = 'pending' AND expires_at IS NOT NULL AND expires_at <= now()
      ORDER BY expires_at LIMIT $1
      FOR UPDATE SKIP LOCKED`),
    /** One overdue approval a decision found: waits for a sweeper ending it, then finds nothing. */
    expireOne: expire(`
      SELECT workspace_id, id FROM ${table}
      WHERE workspace_id = $1 AND id = $2 AND status = 'pending' AND expires_at <= now()
      FOR UPDATE`),
    claimReminders: `
      UPDATE ${table} AS a SET reminded_at = now()
      FROM (
        SELECT workspace_id, id FROM ${table}
        WHERE status = 'pending' AND remind_at IS NOT NULL AND reminded_at IS NULL
          AND remind_at <= now()
        ORDER BY remind_at LIMIT $1
        FOR UPDATE SKIP LOCKED
      ) AS due
      WHERE a.workspace_id = due.workspace_id AND a.id = due.id
      RETURNING ${returned}`,
    lockOpenApprovals: 'SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))',
    countOpen: `
      SELECT count(*)::int AS open, min(expires_at) AS next_expires_at FROM ${table}
      WHERE workspace_id = $1 AND requester = $2 AND status = 'pending' AND ${notOverdue}`,
    /** A key seen before stays as it is unless it expired, which a new create replaces. */
    claimKey: `
      INSERT INTO ${keys} AS k (workspace_id, requester, key, fingerprint, approval_id, expires_at)
      VALUES ($1, $2, $3, $4, $5, now() + $6 * interval '1 millisecond')
      ON CONFLICT (workspace_id, requester, key) DO UPDATE
        SET fingerprint = EXCLUDED.fingerprint, approval_id = EXCLUDED.approval_id,
            created_at = now(), expires_at = EXCLUDED.expires_at
        WHERE k.expires_at <= now()
      RETURNING approval_id`,
    findKey: `
      SELECT fingerprint, approval_id FROM ${keys}
      WHERE workspace_id = $1 AND requester = $2 AND key = $3`,
    purgeKeys: `
      DELETE FROM ${keys} WHERE (workspace_id, requester, key) IN (
        SELECT workspace_id, requester, key FROM ${keys}
        WHERE expires_at <= now() LIMIT $1
        FOR UPDATE SKIP LOCKED)`,
  };
}

export type ApprovalStatements = ReturnType<typeof statementsFor>;
