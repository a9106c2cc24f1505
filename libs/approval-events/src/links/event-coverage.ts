import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { BehaviorSubject, distinctUntilChanged, type Observable, Subject } from 'rxjs';

/** A change of what events can reach: one workspace, or every workspace at once. */
export interface CoverageChange {
  /** The workspace whose coverage may have changed; absent when all of them may have. */
  readonly workspaceId?: string;
}

/** A workspace that waits started or stopped needing events for. */
export interface WorkspaceDemand {
  readonly workspaceId: string;
  /** True when its first watch began, false when its last one ended. */
  readonly wanted: boolean;
}

/** What a link that covers only some workspaces (the remote bus) currently covers. */
interface ScopedLink {
  up: boolean;
  /** Every workspace (a subscription to all of them was acknowledged). */
  all: boolean;
  workspaces: Set<string>;
}

const ALL: CoverageChange = Object.freeze({});

/**
 * Answers one question for the bridge: can events reach an approval of this workspace right
 * now? They do while a complete link is up: one that alone hears every decision committed to
 * the store the waits read (the store's own announcements). Otherwise they do when every
 * event link is up (the replica channel, the remote bus) and every link that covers only
 * some workspaces (the remote bus, subscribing per workspace) has had that workspace's
 * subscription acknowledged. Where the answer is no, the bridge polls; nowhere else.
 *
 * The links report here; the bridge asks here and says which workspaces its waits need,
 * so a link can subscribe on demand. Nothing here knows about either of them.
 *
 * @internal
 */
@Injectable()
export class ApprovalEventCoverage implements OnApplicationShutdown {
  private readonly logger = new Logger('ApprovalEvents');
  private readonly links = new Map<string, boolean>();
  /** Links that hear every committed decision on their own: one up covers everything. */
  private readonly complete = new Set<string>();
  private readonly scoped = new Map<string, ScopedLink>();
  /** Waits per workspace, so a link subscribes on the first and unsubscribes after the last. */
  private readonly demand = new Map<string, number>();
  private readonly connectedSubject = new BehaviorSubject<boolean>(true);
  private readonly changesSubject = new Subject<CoverageChange>();
  private readonly demandSubject = new Subject<WorkspaceDemand>();

  /** Whether a complete link, or else every link, is up; see `ApprovalEventManager.connected$`. */
  readonly connected$: Observable<boolean> = this.connectedSubject.pipe(distinctUntilChanged());
  /** Emits after coverage may have changed, so the watches affected ask again. */
  readonly changes$: Observable<CoverageChange> = this.changesSubject.asObservable();
  /** Workspaces the waits start and stop needing, for links that subscribe on demand. */
  readonly demand$: Observable<WorkspaceDemand> = this.demandSubject.asObservable();

  /** The current value of {@link connected$}. */
  get isConnected(): boolean {
    return this.connectedSubject.value;
  }

  /** Whether each link is up now, by name: what `/health` shows an operator. */
  linkStates(): Readonly<Record<string, boolean>> {
    return Object.fromEntries(this.links);
  }

  /** Whether events of `workspaceId` can currently be trusted to arrive. */
  covers(workspaceId: string): boolean {
    if (!this.connectedSubject.value) return false;
    if (this.completeLinkUp()) return true;
    for (const link of this.scoped.values()) {
      if (!link.all && !link.workspaces.has(workspaceId)) return false;
    }
    return true;
  }

  /** Whether a scoped link's subscription covers `workspaceId` (on its current connection). */
  coveredBy(link: string, workspaceId: string): boolean {
    const scoped = this.scoped.get(link);
    return !!scoped && (scoped.all || scoped.workspaces.has(workspaceId));
  }

  /** Workspaces some wait needs events for now. */
  demanded(): string[] {
    return [...this.demand.keys()];
  }

  /**
   * Reports whether one link is up. A link that goes down loses whatever workspaces it
   * covered: they must be acknowledged again on its next connection.
   */
  setLinkState(link: string, up: boolean): void {
    const scoped = this.scoped.get(link);
    if (scoped && !up) {
      scoped.all = false;
      scoped.workspaces.clear();
    }
    if (scoped) scoped.up = up;
    if (this.links.get(link) === up) return;
    this.links.set(link, up);
    const connected = this.completeLinkUp() || [...this.links.values()].every(Boolean);
    if (connected !== this.connectedSubject.value) {
      this.logger.log(
        connected
          ? 'Event links connected: waits are event-driven'
          : `Event link "${link}" is down: waits poll`,
      );
      this.connectedSubject.next(connected);
    } else if (connected) {
      // A complete link is up: this link's state changes what an operator sees, not the waits.
      this.logger.log(
        up
          ? `Event link "${link}" is up`
          : `Event link "${link}" is down; the store's announcements still reach every wait`,
      );
    }
    this.changesSubject.next(ALL);
  }

  /**
   * Declares a complete link: one that alone hears every decision committed to the store
   * the waits read, whoever wrote it (the store's `NOTIFY`). Starts down. While it is up,
   * every approval is covered, whatever the other links do.
   */
  registerCompleteLink(link: string): void {
    this.complete.add(link);
    this.setLinkState(link, false);
  }

  private completeLinkUp(): boolean {
    for (const link of this.complete) if (this.links.get(link)) return true;
    return false;
  }

  /**
   * Declares a link that covers only the workspaces it is told to (starts down, covering
   * none). Call before {@link setWorkspaceCovered}.
   */
  registerScopedLink(link: string): void {
    if (!this.scoped.has(link))
      this.scoped.set(link, { up: false, all: false, workspaces: new Set() });
    this.setLinkState(link, false);
  }

  /** One workspace's subscription on a scoped link was acknowledged (or ended). */
  setWorkspaceCovered(link: string, workspaceId: string, covered: boolean): void {
    const scoped = this.scoped.get(link);
    if (!scoped || (covered && !scoped.up)) return;
    if (covered === scoped.workspaces.has(workspaceId)) return;
    if (covered) scoped.workspaces.add(workspaceId);
    else scoped.workspaces.delete(workspaceId);
    this.changesSubject.next({ workspaceId });
  }

  /** A scoped link's subscription to every workspace was acknowledged. */
  setAllWorkspacesCovered(link: string): void {
    const scoped = this.scoped.get(link);
    if (!scoped || !scoped.up || scoped.all) return;
    scoped.all = true;
    this.changesSubject.next(ALL);
  }

  /** A watch in `workspaceId` began: the first one makes links subscribe to it. */
  acquire(workspaceId: string): void {
    const count = this.demand.get(workspaceId) ?? 0;
    this.demand.set(workspaceId, count + 1);
    if (count === 0) this.demandSubject.next({ workspaceId, wanted: true });
  }

  /** A watch in `workspaceId` ended: after the last one, links may unsubscribe. */
  release(workspaceId: string): void {
    const count = this.demand.get(workspaceId);
    if (count === undefined) return;
    if (count > 1) return void this.demand.set(workspaceId, count - 1);
    this.demand.delete(workspaceId);
    this.demandSubject.next({ workspaceId, wanted: false });
  }

  onApplicationShutdown(): void {
    this.demand.clear();
    this.connectedSubject.complete();
    this.changesSubject.complete();
    this.demandSubject.complete();
  }
}
