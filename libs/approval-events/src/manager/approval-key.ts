/**
 * The map key of one approval. Ids are printable ASCII, so NUL can never be part of one:
 * the key is unambiguous, and workspace A's approval never shares a key with B's.
 */
export const approvalKey = (workspaceId: string, approvalId: string) =>
  `${workspaceId}\u0000${approvalId}`;
