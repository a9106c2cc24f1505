import { Module } from '@nestjs/common';
import { InboxController } from './inbox.controller';

/**
 * The approver inbox at `/`: a static page that lists a workspace's approvals live and
 * decides them, through the same REST API and Socket.io bus any other client uses.
 */
@Module({ controllers: [InboxController] })
export class InboxModule {}
