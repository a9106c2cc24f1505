/** The Socket.io namespace of the approvals event bus. */
export const APPROVALS_NAMESPACE = '/approvals';

/** Largest message a client may send (Socket.io `maxHttpBufferSize`). */
export const GATEWAY_MAX_MESSAGE_BYTES = 64 * 1024;

/** Publishes one connection may make per second before it is acked `rate_limited`. */
export const GATEWAY_PUBLISHES_PER_SECOND = 100;

/** Publishes all connections from one IP address may make per second. */
export const GATEWAY_PUBLISHES_PER_SECOND_PER_IP = 500;

/** Connection attempts one IP address may make per {@link GATEWAY_CONNECT_WINDOW_SECONDS}. */
export const GATEWAY_CONNECTS_PER_IP = 60;
export const GATEWAY_CONNECT_WINDOW_SECONDS = 10;

/** Workspaces one connection may subscribe to at once. */
export const GATEWAY_MAX_SUBSCRIPTIONS = 100;

/** The room a workspace's resolutions are broadcast to. */
export const workspaceRoom = (workspaceId: string) => `workspace:${workspaceId}`;

/**
 * The room of the sockets subscribed to every workspace (`subscribe {}` with a producer or
 * subscriber token). It cannot collide with a {@link workspaceRoom}, which always starts with
 * `workspace:`.
 */
export const ALL_WORKSPACES_ROOM = 'all-workspaces';

/** Largest `approval:requested` the gateway sends, as JSON; a larger one is logged and dropped. */
export const GATEWAY_MAX_REQUESTED_BYTES = 128 * 1024;

/**
 * How long a transport may stay open without joining a namespace (Socket.io's
 * `connectTimeout`, whose default is 45 s). A client joins within one round trip of opening
 * its transport (its token fetched first, for the inbox); an attacker's raw transport, which
 * never shows a token, holds a descriptor and a ping timer for no more than this.
 */
export const GATEWAY_CONNECT_TIMEOUT_MS = 5_000;

/**
 * Socket.io transports one IP address may hold open at once, whether or not they joined a
 * namespace. One service or agent worker holds one; an address behind which many browsers
 * share a NAT, or a reverse proxy, may need more (see SECURITY.md).
 */
export const GATEWAY_MAX_TRANSPORTS_PER_IP = 100;
