import { ConfigurableModuleBuilder } from '@nestjs/common';
import { ApprovalEventGateway } from './gateway/approval-event.gateway';
import type {
  ApprovalEventsModuleExtras,
  ApprovalEventsModuleOptions,
} from './interfaces/approval-events-options.interface';

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
        ? [...(definition.providers ?? []), ApprovalEventGateway]
        : definition.providers,
    }),
  )
  .build();
