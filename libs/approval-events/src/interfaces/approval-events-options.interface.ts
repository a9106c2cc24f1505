import type { ConfigurableModuleAsyncOptions } from '@nestjs/common';
import type { Registry } from 'prom-client';
import type { ApprovalStatusSource } from './approval-status-source.interface';

/**
 * Options of `ApprovalEventsModule.forRoot()` / `forRootAsync()`.
 *
 * @example
 * ApprovalEventsModule.forRoot({
 *   approvalsApiUrl: 'http://approvals:3000/api',
 *   apiKey: process.env.API_KEY,
 *   eventBusUrl: 'http://approvals:3000',
 *   eventBusToken: process.env.APPROVAL_EVENTS_SUBSCRIBER_TOKEN,
 *   eventBusWorkspaces: ['ws1'],
 * });
 */
export interface ApprovalEventsModuleOptions {
  /**
   * Wait on events, polling only while the bus is down. `false` polls every
   * `pollIntervalMs` always: the old behaviour, kept for comparison.
   * @default true
   */
  useEvents?: boolean;
  /**
   * How long a wait lasts when the caller gives no `timeoutMs`.
   * @default 3_600_000 (one hour)
   */
  defaultTimeoutMs?: number;
  /**
   * How often an approval is read while events cannot be trusted (jittered by ±10 %).
   * @default 5_000
   */
  pollIntervalMs?: number;
  /**
   * Base URL of the approvals REST API, including its prefix (`http://host:3000/api`).
   * Used by the bundled HTTP status source when no `statusSource` is given.
   */
  approvalsApiUrl?: string;
  /** Sent as `x-api-key` to the approvals API. Never logged. */
  apiKey?: string;
  /**
   * Time limit of one HTTP status read.
   * @default 10_000
   */
  requestTimeoutMs?: number;
  /**
   * The status source to read through instead of HTTP, for a host that owns the store.
   * Either this or `approvalsApiUrl` is required.
   */
  statusSource?: ApprovalStatusSource;
  /** Socket.io server to subscribe to for resolutions (`http://host:3000`; namespace `/approvals` is added). */
  eventBusUrl?: string;
  /** Token sent in the handshake to `eventBusUrl`. Required with it. Never logged. */
  eventBusToken?: string;
  /**
   * Workspaces the remote client subscribes to as it connects. Any other workspace is
   * subscribed to on demand, when a wait first watches one of its approvals, and polled
   * until that subscription is acknowledged (or for good, if the bus refuses it).
   * @default []
   */
  eventBusWorkspaces?: string[];
  /**
   * Subscribe, as the client connects, to every workspace its token may see (`subscribe {}`):
   * one subscription for an agent that serves many workspaces. With a scoped token it
   * covers the token's workspaces; any other is tried on demand and polled if refused.
   * @default false
   */
  eventBusSubscribeAll?: boolean;
  /**
   * Redis that replicas share (`redis://host:6379`): resolutions learnt on one replica wake
   * waits on every other. Without it the process hears only its own events.
   */
  redisUrl?: string;
  /**
   * Prefix of every Redis key and channel the library uses, so deployments (or test runs)
   * sharing one Redis never hear each other.
   * @default 'approval-events'
   */
  redisKeyPrefix?: string;
  /**
   * PostgreSQL to LISTEN on (`postgres://user@host:5432/db`) for the decisions a store
   * announces with `NOTIFY`: every one heard wakes the waits on that approval here, as source
   * `store`. The host's approvals table announces every committed decision from a trigger,
   * so with it replicas sharing that database wake each other without Redis, even when the
   * deciding replica dies right after its commit. Uses one dedicated connection (needs the
   * `pg` package). Never logged. Requires `storeNotifyChannel`.
   *
   * @default undefined (no LISTEN)
   * @example
   * storeNotifyUrl: process.env.DATABASE_URL
   */
  storeNotifyUrl?: string;
  /**
   * The channel the store's `NOTIFY` uses (1 to 63 of `A-Z a-z 0-9 _`, not starting with a
   * digit; case-sensitive). Each payload is a JSON `ApprovalResult`
   * (`{ approvalId, workspaceId, status, resolvedAt, resolvedBy? }`). The host derives one
   * per schema, so deployments sharing a database never hear each other.
   *
   * @default undefined (required with `storeNotifyUrl`)
   * @example
   * storeNotifyChannel: 'approvals_decided_public'
   */
  storeNotifyChannel?: string;
  /** Gateway token that may publish and subscribe. */
  gatewayProducerToken?: string;
  /**
   * Secret that signs and verifies scoped subscriber tokens (HS256 JWTs carrying a
   * `workspaces` claim). Same on every replica; at least 32 characters. Never logged.
   */
  gatewayJwtSecret?: string;
  /** Gateway token that may only subscribe. */
  gatewaySubscriberToken?: string;
  /**
   * Most waits in progress at once; one more is refused with `ApprovalWaitLimitError`.
   * @default 100_000
   */
  maxPendingWaits?: number;
  /**
   * How many recent resolutions are remembered, so a wait that starts just after its event
   * still ends at once.
   * @default 10_000
   */
  resolutionCacheSize?: number;
  /**
   * How long a recent resolution is remembered.
   * @default 60_000
   */
  resolutionCacheTtlMs?: number;
  /**
   * Registry the library's metrics are registered in.
   * @default a new `Registry` per module instance, exposed as `ApprovalEventsMetrics.registry`
   */
  metricsRegistry?: Registry;
}

/**
 * Options that decide which providers the module registers, so they are given beside
 * the options object even in `forRootAsync`.
 */
export interface ApprovalEventsModuleExtras {
  /**
   * Register the module globally.
   * @default true
   */
  isGlobal?: boolean;
  /**
   * Serve the Socket.io gateway (namespace `/approvals`). Only a process that hosts the
   * event bus turns it on.
   * @default false
   */
  gateway?: boolean;
}

/**
 * What `ApprovalEventsModule.forRootAsync()` takes: Nest's `useFactory` / `useClass` /
 * `useExisting` with `imports` and `inject`, and the extras beside them (never in what the
 * factory returns, which would be ignored: the boot fails saying so).
 *
 * @example
 * ApprovalEventsModule.forRootAsync({
 *   gateway: true,
 *   inject: [ConfigService],
 *   useFactory: (config: ConfigService) => ({ approvalsApiUrl: config.getOrThrow('APPROVALS_API_URL') }),
 * });
 */
export type ApprovalEventsModuleAsyncOptions =
  ConfigurableModuleAsyncOptions<ApprovalEventsModuleOptions> & ApprovalEventsModuleExtras;
