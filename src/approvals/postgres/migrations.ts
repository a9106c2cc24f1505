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
   * The SQL, given the quoted target schema (see `quoteSchemaName`). May hold several
   * statements; it runs with the simple query protocol, so it takes no parameters.
   */
  up(schema: string): string;
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
];
