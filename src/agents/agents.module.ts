import { Module } from '@nestjs/common';
import { ApprovalsModule } from '../approvals/approvals.module';
import { AgentsController } from './agents.controller';
import { EmailAgent } from './email-agent.service';
import { Outbox } from './outbox';

/** A demo agent that injects `ApprovalQueueBridge` and acts only on approval. */
@Module({
  imports: [ApprovalsModule],
  controllers: [AgentsController],
  providers: [EmailAgent, Outbox],
})
export class AgentsModule {}
