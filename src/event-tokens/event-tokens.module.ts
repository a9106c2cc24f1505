import { Module } from '@nestjs/common';
import { EventTokensController } from './event-tokens.controller';

/** `POST /api/workspaces/:workspaceId/event-tokens`: workspace-scoped Socket.io tokens. */
@Module({ controllers: [EventTokensController] })
export class EventTokensModule {}
