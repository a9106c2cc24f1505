import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { ApprovalEventManager } from '@app/approval-events';

/**
 * `event_bus` is up while resolution events can be trusted to arrive. When it is down,
 * waits still end correctly, by polling, but later: worth an alert, not a restart. `links`
 * shows each event link (`store`, `replica`), so a Redis outage that the store's
 * announcements make up for is still visible while `event_bus` stays up.
 */
@Injectable()
export class EventBusHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly manager: ApprovalEventManager,
  ) {}

  check(key = 'event_bus') {
    const indicator = this.health.check(key);
    const details = {
      mode: this.manager.isConnected ? 'events' : 'polling',
      pendingWaits: this.manager.pendingCount,
      links: Object.fromEntries(
        Object.entries(this.manager.links).map(([name, up]) => [name, up ? 'up' : 'down']),
      ),
    };
    return this.manager.isConnected ? indicator.up(details) : indicator.down(details);
  }
}
