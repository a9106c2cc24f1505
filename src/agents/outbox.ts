import { Injectable } from '@nestjs/common';

export interface SentEmail {
  workspaceId: string;
  approvalId: string;
  to: string;
  subject: string;
  sentAt: string;
}

const MAX_KEPT = 1_000;

/**
 * Where the demo agent "sends" email: it records the message instead of talking to SMTP,
 * so the round trip is visible. Keeps the last {@link MAX_KEPT}.
 */
@Injectable()
export class Outbox {
  private readonly sent: SentEmail[] = [];

  send(email: SentEmail): void {
    this.sent.push(email);
    if (this.sent.length > MAX_KEPT) this.sent.shift();
  }

  list(workspaceId: string): SentEmail[] {
    return this.sent.filter((email) => email.workspaceId === workspaceId);
  }
}
