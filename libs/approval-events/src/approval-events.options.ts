import { Registry } from 'prom-client';
import { MAX_TIMEOUT_MS, REDIS_KEY_PREFIX_PATTERN } from './approval-events.constants';
import { idProblem } from './validation/approval-result.validation';
import type { ApprovalEventsModuleOptions } from './interfaces/approval-events-options.interface';
import type { ApprovalStatusSource } from './interfaces/approval-status-source.interface';
import {
  integerProblem,
  type IntegerRange,
  POLL_INTERVAL_RANGE,
  TIMEOUT_RANGE,
} from './waits/wait-limits';

/** Token of the validated options, every default filled in. */
export const APPROVAL_EVENTS_OPTIONS = 'APPROVAL_EVENTS:OPTIONS';

/** The options after validation, as the library's providers see them. */
export interface ResolvedApprovalEventsOptions {
  useEvents: boolean;
  defaultTimeoutMs: number;
  pollIntervalMs: number;
  approvalsApiUrl?: string;
  apiKey?: string;
  requestTimeoutMs: number;
  statusSource?: ApprovalStatusSource;
  eventBusUrl?: string;
  eventBusToken?: string;
  eventBusWorkspaces: readonly string[];
  eventBusSubscribeAll: boolean;
  redisUrl?: string;
  redisKeyPrefix: string;
  storeNotifyUrl?: string;
  storeNotifyChannel?: string;
  gatewayProducerToken?: string;
  gatewaySubscriberToken?: string;
  gatewayJwtSecret?: string;
  maxPendingWaits: number;
  resolutionCacheSize: number;
  resolutionCacheTtlMs: number;
  metricsRegistry: Registry;
}

const invalid = (option: string, expected: string, value: unknown) =>
  new Error(
    `ApprovalEventsModule: option "${option}" must be ${expected} (got ${describe(value)})`,
  );

function describe(value: unknown): string {
  if (typeof value === 'string') return `a string of length ${value.length}`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return value === null ? 'null' : typeof value;
}

/** A count or a delay, from `min` up to what a timer holds unless `range` says otherwise. */
function integer(
  option: string,
  value: unknown,
  fallback: number,
  range: number | IntegerRange,
): number {
  if (value === undefined) return fallback;
  const problem = integerProblem(
    value,
    typeof range === 'number' ? { min: range, max: MAX_TIMEOUT_MS } : range,
  );
  if (problem) throw invalid(option, problem, value);
  return value as number;
}

function text(option: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0)
    throw invalid(option, 'a non-empty string', value);
  return value;
}

function secret(option: string, value: unknown, minLength: number): string | undefined {
  const given = text(option, value);
  if (given !== undefined && given.length < minLength) {
    throw invalid(option, `at least ${minLength} characters`, value);
  }
  return given;
}

/** A URL option: absent, or parseable with one of `protocols`. */
function url(
  option: string,
  value: unknown,
  protocols: readonly string[],
  expected: string,
): string | undefined {
  const given = text(option, value);
  if (given === undefined) return undefined;
  let protocol: string | undefined;
  try {
    protocol = new URL(given).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol === undefined || !protocols.includes(protocol)) {
    throw invalid(option, expected, value);
  }
  return given;
}

function httpUrl(option: string, value: unknown): string | undefined {
  return url(option, value, ['http:', 'https:'], 'an absolute http(s) URL')?.replace(/\/+$/, '');
}

function redisUrl(value: unknown): string | undefined {
  return url('redisUrl', value, ['redis:', 'rediss:'], 'a redis:// or rediss:// URL');
}

function keyPrefix(value: unknown): string {
  const prefix = text('redisKeyPrefix', value) ?? 'approval-events';
  if (!REDIS_KEY_PREFIX_PATTERN.test(prefix)) {
    throw invalid('redisKeyPrefix', '1 to 64 characters of A-Z a-z 0-9 _ . : -', value);
  }
  return prefix;
}

/** A LISTEN channel: an identifier that needs no escaping once double-quoted. */
const NOTIFY_CHANNEL_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

function storeNotify(options: ApprovalEventsModuleOptions): {
  storeNotifyUrl?: string;
  storeNotifyChannel?: string;
} {
  const storeNotifyUrl = url(
    'storeNotifyUrl',
    options.storeNotifyUrl,
    ['postgres:', 'postgresql:'],
    'a postgres:// or postgresql:// URL',
  );
  const storeNotifyChannel = text('storeNotifyChannel', options.storeNotifyChannel);
  if (storeNotifyChannel !== undefined && !NOTIFY_CHANNEL_PATTERN.test(storeNotifyChannel)) {
    throw invalid(
      'storeNotifyChannel',
      '1 to 63 of A-Z a-z 0-9 _, not starting with a digit',
      options.storeNotifyChannel,
    );
  }
  if (storeNotifyUrl && !storeNotifyChannel) {
    throw new Error(
      'ApprovalEventsModule: option "storeNotifyChannel" is required with "storeNotifyUrl"',
    );
  }
  return { storeNotifyUrl, storeNotifyChannel };
}

/**
 * Checks the options once at startup and fills in the defaults, so a typo fails the boot
 * with the option's name rather than surfacing as a wait that never ends.
 */
export function resolveApprovalEventsOptions(
  options: ApprovalEventsModuleOptions = {},
): ResolvedApprovalEventsOptions {
  // forRoot() takes the extras out of its options; a forRootAsync factory's object is taken
  // whole, and an extra in it would be ignored without a word (no gateway served).
  for (const extra of ['gateway', 'isGlobal'] as const) {
    if ((options as Record<string, unknown>)[extra] !== undefined) {
      throw new Error(
        `ApprovalEventsModule: "${extra}" decides which providers the module registers, so it ` +
          `goes beside the factory: forRootAsync({ ${extra}, useFactory, inject }), not in the ` +
          'object useFactory returns',
      );
    }
  }
  for (const option of ['useEvents', 'eventBusSubscribeAll'] as const) {
    if (options[option] !== undefined && typeof options[option] !== 'boolean') {
      throw invalid(option, 'a boolean', options[option]);
    }
  }
  const statusSource = options.statusSource;
  if (statusSource !== undefined && typeof statusSource?.getApproval !== 'function') {
    throw invalid('statusSource', 'an object with a getApproval() method', statusSource);
  }
  const approvalsApiUrl = httpUrl('approvalsApiUrl', options.approvalsApiUrl);
  if (statusSource !== undefined && approvalsApiUrl !== undefined) {
    throw new Error(
      'ApprovalEventsModule: give either "statusSource" (the store in this process) or ' +
        '"approvalsApiUrl" (its REST API), not both: waits read through exactly one',
    );
  }
  const eventBusUrl = httpUrl('eventBusUrl', options.eventBusUrl);
  const eventBusToken = text('eventBusToken', options.eventBusToken);
  if (eventBusUrl && !eventBusToken) {
    throw new Error('ApprovalEventsModule: option "eventBusToken" is required with "eventBusUrl"');
  }
  const workspaces = options.eventBusWorkspaces ?? [];
  if (
    !Array.isArray(workspaces) ||
    workspaces.some((id) => idProblem('workspaceId', id) !== undefined)
  ) {
    throw invalid(
      'eventBusWorkspaces',
      'an array of workspace ids (1 to 128 printable characters)',
      workspaces,
    );
  }
  if (options.metricsRegistry !== undefined && !(options.metricsRegistry instanceof Registry)) {
    throw invalid('metricsRegistry', 'a prom-client Registry', options.metricsRegistry);
  }
  return {
    useEvents: options.useEvents ?? true,
    defaultTimeoutMs: integer(
      'defaultTimeoutMs',
      options.defaultTimeoutMs,
      3_600_000,
      TIMEOUT_RANGE,
    ),
    pollIntervalMs: integer('pollIntervalMs', options.pollIntervalMs, 5_000, POLL_INTERVAL_RANGE),
    approvalsApiUrl,
    apiKey: text('apiKey', options.apiKey),
    requestTimeoutMs: integer('requestTimeoutMs', options.requestTimeoutMs, 10_000, 1),
    statusSource,
    eventBusUrl,
    eventBusToken,
    eventBusWorkspaces: [...new Set(workspaces)],
    eventBusSubscribeAll: options.eventBusSubscribeAll ?? false,
    redisUrl: redisUrl(options.redisUrl),
    redisKeyPrefix: keyPrefix(options.redisKeyPrefix),
    ...storeNotify(options),
    gatewayProducerToken: text('gatewayProducerToken', options.gatewayProducerToken),
    gatewaySubscriberToken: text('gatewaySubscriberToken', options.gatewaySubscriberToken),
    gatewayJwtSecret: secret('gatewayJwtSecret', options.gatewayJwtSecret, 32),
    maxPendingWaits: integer('maxPendingWaits', options.maxPendingWaits, 100_000, 1),
    resolutionCacheSize: integer('resolutionCacheSize', options.resolutionCacheSize, 10_000, 0),
    resolutionCacheTtlMs: integer('resolutionCacheTtlMs', options.resolutionCacheTtlMs, 60_000, 0),
    metricsRegistry: options.metricsRegistry ?? new Registry(),
  };
}
