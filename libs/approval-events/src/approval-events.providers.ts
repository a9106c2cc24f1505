import { HttpService } from '@nestjs/axios';
import type { Provider } from '@nestjs/common';
import { APPROVAL_EVENTS_MODULE_OPTIONS } from './approval-events.module-definition';
import {
  APPROVAL_EVENTS_OPTIONS,
  resolveApprovalEventsOptions,
  type ResolvedApprovalEventsOptions,
} from './approval-events.options';
import { GatewayTokens } from './gateway/gateway-tokens';
import { HttpApprovalStatusSource } from './reading/http-approval-status.source';
import type { ApprovalEventsModuleOptions } from './interfaces/approval-events-options.interface';
import { ApprovalStatusSource } from './interfaces/approval-status-source.interface';

export const approvalEventsOptionsProvider: Provider = {
  provide: APPROVAL_EVENTS_OPTIONS,
  inject: [APPROVAL_EVENTS_MODULE_OPTIONS],
  useFactory: (options: ApprovalEventsModuleOptions) => resolveApprovalEventsOptions(options),
};

/** The gateway's tokens, built once for the gateway and the scoped-token issuer. */
export const gatewayTokensProvider: Provider = {
  provide: GatewayTokens,
  inject: [APPROVAL_EVENTS_OPTIONS],
  useFactory: (options: ResolvedApprovalEventsOptions) =>
    new GatewayTokens(
      options.gatewayProducerToken,
      options.gatewaySubscriberToken,
      options.gatewayJwtSecret,
    ),
};

export const approvalStatusSourceProvider: Provider = {
  provide: ApprovalStatusSource,
  inject: [APPROVAL_EVENTS_OPTIONS, HttpService],
  useFactory: (options: ResolvedApprovalEventsOptions, http: HttpService): ApprovalStatusSource => {
    if (options.statusSource) return options.statusSource;
    if (options.approvalsApiUrl) {
      return new HttpApprovalStatusSource(
        http,
        options.approvalsApiUrl,
        options.apiKey,
        options.requestTimeoutMs,
      );
    }
    throw new Error('ApprovalEventsModule: option "statusSource" or "approvalsApiUrl" is required');
  },
};
