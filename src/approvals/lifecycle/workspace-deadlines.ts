import { Heap } from 'heap-js';

/** Node turns a longer delay into 1 ms; a deadline past it is reached in steps of this. */
export const MAX_TIMER_DELAY_MS = 2_147_483_647;

/** One thing due in a workspace: an approval's deadline or its reminder. */
export interface Deadline {
  approvalId: string;
  kind: 'expiry' | 'reminder';
  /** Epoch ms. */
  at: number;
}

/**
 * The deadlines of one workspace of the in-memory store: a min-heap of them and one timer,
 * armed for the earliest, so a workspace with 2 000 approvals holds one timer, not 2 000.
 * When it fires it hands every deadline that is due to `onDue` and arms itself for the next.
 * The store also takes what is due itself before each write ({@link takeDue}), so a timer
 * that fires late (a busy event loop) changes nothing anyone can observe through a write.
 *
 * An approval's deadlines leave the heap as soon as it is decided ({@link remove}); a
 * workspace with nothing due holds no timer. The timer is `unref`ed: it never keeps a
 * process alive on its own, and {@link stop} clears it.
 *
 * @example
 * const deadlines = new WorkspaceDeadlines((due) => due.forEach(expireOrRemind));
 * deadlines.add({ approvalId: 'a1', kind: 'expiry', at: Date.now() + 60_000 });
 */
export class WorkspaceDeadlines {
  private readonly heap = new Heap<Deadline>((a, b) => a.at - b.at);
  /** Each approval's entries in the heap, so removing them needs no search by id. */
  private readonly byApproval = new Map<string, Deadline[]>();
  private timer: NodeJS.Timeout | undefined;
  /** When the armed timer fires (epoch ms). */
  private armedFor = Number.POSITIVE_INFINITY;

  constructor(private readonly onDue: (due: Deadline[]) => void) {}

  /** How many deadlines are held. */
  get size(): number {
    return this.heap.length;
  }

  /** Whether a timer is armed. */
  get armed(): boolean {
    return this.timer !== undefined;
  }

  add(deadline: Deadline): void {
    this.heap.push(deadline);
    const entries = this.byApproval.get(deadline.approvalId);
    if (entries) entries.push(deadline);
    else this.byApproval.set(deadline.approvalId, [deadline]);
    if (deadline.at < this.armedFor) this.arm();
  }

  /** Drops every deadline of the approval (it was decided or evicted), re-arming if needed. */
  remove(approvalId: string): void {
    const entries = this.byApproval.get(approvalId);
    if (!entries) return;
    this.byApproval.delete(approvalId);
    const wasFirst = entries.includes(this.heap.peek()!);
    for (const entry of entries) this.heap.remove(entry);
    if (wasFirst) this.arm();
  }

  /** Takes every deadline due by `now` out of the heap, earliest first. */
  takeDue(now = Date.now()): Deadline[] {
    const due: Deadline[] = [];
    for (let next = this.heap.peek(); next && next.at <= now; next = this.heap.peek()) {
      this.heap.pop();
      due.push(next);
      const rest = this.byApproval.get(next.approvalId)?.filter((entry) => entry !== next);
      if (rest?.length) this.byApproval.set(next.approvalId, rest);
      else this.byApproval.delete(next.approvalId);
    }
    if (due.length > 0) this.arm();
    return due;
  }

  /** Clears the timer (shutdown); the deadlines stay, and the next {@link add} re-arms. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Number.POSITIVE_INFINITY;
  }

  /** One timer for the earliest deadline, or none; in steps past Node's longest delay. */
  private arm(): void {
    this.stop();
    const next = this.heap.peek();
    if (!next) return;
    const delay = Math.min(Math.max(0, next.at - Date.now()), MAX_TIMER_DELAY_MS);
    this.armedFor = next.at;
    this.timer = setTimeout(() => this.fire(), delay);
    this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    this.armedFor = Number.POSITIVE_INFINITY;
    const due = this.takeDue();
    // A step towards a far deadline: nothing due yet, so arm the next step.
    if (due.length === 0) this.arm();
    else this.onDue(due);
  }
}
