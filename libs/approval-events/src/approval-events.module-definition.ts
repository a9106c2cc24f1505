import { ConfigurableModuleBuilder, type Type } from '@nestjs/common';
import type {
  ApprovalEventsModuleExtras,
  ApprovalEventsModuleOptions,
} from './interfaces/approval-events-options.interface';
import { loadOptionalPeer } from './utils/optional-peer';

/**
 * What the gateway needs at run time, checked before its file is required so a missing one
 * is named (Nest's own adapter loader would end the process instead of throwing).
 */
const GATEWAY_PEERS: readonly string[] = [
  '@nestjs/websockets',
  '@nestjs/platform-socket.io',
  'socket.io',
  'class-validator',
  'rate-limiter-flexible',
];

/**
 * The gateway's class, required only when `gateway: true`: its decorators need
 * `@nestjs/websockets` when the class is defined, so importing it here at load time would
 * make every application install the gateway's packages.
 */
function loadGateway(): Type<unknown> {
  for (const peer of GATEWAY_PEERS) {
    loadOptionalPeer(peer, 'The option "gateway"');
  }
  type GatewayFile = typeof import('./gateway/approval-event.gateway');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { ApprovalEventGateway } = require('./gateway/approval-event.gateway') as GatewayFile;
  return ApprovalEventGateway;
}

export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: APPROVAL_EVENTS_MODULE_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<ApprovalEventsModuleOptions>({
  moduleName: 'ApprovalEvents',
})
  .setClassMethodName('forRoot')
  .setExtras<ApprovalEventsModuleExtras>(
    { isGlobal: true, gateway: false },
    (definition, extras) => ({
      ...definition,
      global: extras.isGlobal,
      // Decided here rather than from the options, so it works for forRootAsync too.
      providers: extras.gateway
        ? [...(definition.providers ?? []), loadGateway()]
        : definition.providers,
    }),
  )
  .build();
