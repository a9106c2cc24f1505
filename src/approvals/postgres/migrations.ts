import { MAX_ID_LENGTH, MAX_RESOLVED_BY_LENGTH } from '@app/approval-events';
import { decisionChannelFor } from './decision-channel';

/**
 * One step of the approvals schema. Applied once, in its own transaction, in version order;
 * never edited once released (add a new version instead), because databases that already
 * ran it will not run it again.
 */
export interface Migration {
  /** Positive integer, unique, increasing with the order of application. */
  version: number;
  /** Short description, recorded beside the version. */
  name: string;
  /**
   * The SQL, given the quoted target schema (see `quoteSchemaName`) and its plain, validated
   * name. May hold several statements; it runs with the simple query protocol, so it takes
   * no parameters.
   */
  up(schema: string, schemaName: string): string;
}

/**
 * The approvals store's schema, oldest first.
 *
 * - `(workspace_id, id)` is the primary key: every read and decision is by both, so tenant
 *   isolation is also the access path.
 * - `seq` breaks ties between approvals created in the same millisecond, so "newest first"
 *   is a total order, as the in-memory store's insertion order is.
 * - The two list indexes match the two list queries (all, or one status) exactly, so a page
 *   is an index range scan that stops after `limit` rows.
 * - The CHECKs keep the invariants the code relies on even against manual writes.
 * - Migration 2's trigger announces every pending→decided transition on the schema's
 *   channel (`decisionChannelFor`) with `pg_notify`. It runs inside the deciding
 *   transaction, so the notification is sent if and only if the decision commits, whoever
 *   wrote it: the REST API, another module, a job, or an operator's plain SQL. The payload
 *   is what a waiter needs to know which approval to read (the read is the truth), in the
 *   library's `ApprovalResult` shape with `resolvedAt` formatted as `toISOString()` does,
 *   so it is recognised as the same resolution as the in-process event. Rows whose ids the
 *   library could never wait on (over 128 characters) are not announced, and an over-long
 *   `resolved_by` is left out: that bounds the payload far below PostgreSQL's 8 000-byte
 *   limit, because a `pg_notify` that failed would fail the decision itself.
 * - Migration 3 adds `requested_for`, the requester's label of whom it asks for, now that
 *   `requested_by` is the authenticated principal rather than what the client typed, and
 *   gives approvals their lifecycle: a deadline (`expires_at`, `on_expiry`, both
 *   or neither), one reminder (`remind_at`, `reminded_at` once claimed), the creating
 *   principal (`requester`, the cap's and the keys' scope), `expired` among the statuses,
 *   and the idempotency keys (`approval_idempotency_keys`, written in the same transaction
 *   as the approval they made; unique per workspace, requester and key). Its three partial
 *   indexes hold pending rows only, so the sweeper's "what is due" and the cap's count are
 *   index scans over what is open, however long the history. Expiry is a pending→decided
 *   update like any decision, so migration 2's trigger announces it. Approvals made before
 *   it have no `requester` and so count against no cap. On a large table it takes the
 *   table's lock while it builds the indexes (each scans the table once).
 */
export const APPROVALS_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'create approvals',
    up: (schema) => `
      CREATE TABLE ${schema}.approvals (
        workspace_id text NOT NULL,
        id text NOT NULL,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        action text NOT NULL,
        payload jsonb,
        requested_by text,
        status text NOT NULL DEFAULT 'pending'
          CONSTRAINT approvals_status_check
          CHECK (status IN ('pending', 'approved', 'rejected', 'auto_approved', 'cancelled')),
        created_at timestamptz NOT NULL,
        resolution jsonb,
        resolved_by text,
        resolved_at timestamptz,
        CONSTRAINT approvals_pkey PRIMARY KEY (workspace_id, id),
        CONSTRAINT approvals_resolved_at_check CHECK ((status = 'pending') = (resolved_at IS NULL))
      );
      CREATE INDEX approvals_workspace_created_idx
        ON ${schema}.approvals (workspace_id, created_at DESC, seq DESC);
      CREATE INDEX approvals_workspace_status_created_idx
        ON ${schema}.approvals (workspace_id, status, created_at DESC, seq DESC);
    `,
  },
  {
    version: 2,
    name: 'notify decisions',
    up: (schema, schemaName) => `
      CREATE FUNCTION ${schema}.approvals_notify_decided() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        IF length(NEW.id) <= ${MAX_ID_LENGTH} AND length(NEW.workspace_id) <= ${MAX_ID_LENGTH} THEN
          PERFORM pg_notify('${decisionChannelFor(schemaName)}', json_build_object(
            'approvalId', NEW.id,
            'workspaceId', NEW.workspace_id,
            'status', NEW.status,
            'resolvedBy', CASE WHEN length(NEW.resolved_by) <= ${MAX_RESOLVED_BY_LENGTH} THEN NEW.resolved_by END,
            'resolvedAt', to_char(NEW.resolved_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
          )::text);
        END IF;
        RETURN NULL;
      END
      $$;
      CREATE TRIGGER approvals_notify_decided
        AFTER UPDATE ON ${schema}.approvals
        FOR EACH ROW
        WHEN (OLD.status = 'pending' AND NEW.status <> 'pending')
        EXECUTE FUNCTION ${schema}.approvals_notify_decided();
    `,
  },
  {
    version: 3,
    name: 'principals and lifecycle: requested for, deadlines, reminders, idempotency keys',
    // Literal lists, not the code's constants: a released migration never changes.
    up: (schema) => `
      ALTER TABLE ${schema}.approvals
        ADD COLUMN requested_for text,
        ADD COLUMN requester text,
        ADD COLUMN expires_at timestamptz,
        ADD COLUMN on_expiry text
          CONSTRAINT approvals_on_expiry_check CHECK (on_expiry IN ('expire', 'reject', 'approve')),
        ADD COLUMN remind_at timestamptz,
        ADD COLUMN reminded_at timestamptz,
        ADD CONSTRAINT approvals_deadline_check CHECK ((expires_at IS NULL) = (on_expiry IS NULL)),
        DROP CONSTRAINT approvals_status_check,
        ADD CONSTRAINT approvals_status_check
          CHECK (status IN ('pending', 'approved', 'rejected', 'auto_approved', 'cancelled', 'expired'));
      CREATE INDEX approvals_due_idx ON ${schema}.approvals (expires_at)
        WHERE status = 'pending' AND expires_at IS NOT NULL;
      CREATE INDEX approvals_reminder_due_idx ON ${schema}.approvals (remind_at)
        WHERE status = 'pending' AND remind_at IS NOT NULL AND reminded_at IS NULL;
      CREATE INDEX approvals_open_by_requester_idx ON ${schema}.approvals (workspace_id, requester)
        WHERE status = 'pending';
      CREATE TABLE ${schema}.approval_idempotency_keys (
        workspace_id text NOT NULL,
        requester text NOT NULL,
        key text NOT NULL,
        fingerprint text NOT NULL,
        approval_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        CONSTRAINT approval_idempotency_keys_pkey PRIMARY KEY (workspace_id, requester, key),
        -- Deferred: the key is written first, so racing creates queue on it.
        CONSTRAINT approval_idempotency_keys_approval_fkey FOREIGN KEY (workspace_id, approval_id)
          REFERENCES ${schema}.approvals (workspace_id, id) DEFERRABLE INITIALLY DEFERRED
      );
      CREATE INDEX approval_idempotency_keys_expires_idx
        ON ${schema}.approval_idempotency_keys (expires_at);
    `,
  },
];
