import { Injectable } from '@nestjs/common';
import type { ReceivedResolution } from '../interfaces/wait-options.interface';

/** Something that wants the resolutions of one approval. */
export interface ResolutionListener {
  onResolution(received: ReceivedResolution): void;
  /** The manager is shutting down; the listener is dropped after this. */
  onClose?(error: Error): void;
}

/**
 * The listeners of each approval somebody listens to, by approval key. Most approvals have
 * one listener (the bridge's shared watch), so it is stored as itself and becomes an array
 * only when a second one joins; the entry goes with its last listener. One per module: the
 * manager delivers on it, the bridge's watches listen on it.
 *
 * @internal
 */
@Injectable()
export class ApprovalChannels {
  private readonly listeners = new Map<string, ResolutionListener | ResolutionListener[]>();

  /** Approvals listened to now. */
  get size(): number {
    return this.listeners.size;
  }

  has(key: string): boolean {
    return this.listeners.has(key);
  }

  add(key: string, listener: ResolutionListener): void {
    const current = this.listeners.get(key);
    if (current === undefined) this.listeners.set(key, listener);
    else if (Array.isArray(current)) current.push(listener);
    else this.listeners.set(key, [current, listener]);
  }

  remove(key: string, listener: ResolutionListener): void {
    const current = this.listeners.get(key);
    if (current === listener) return void this.listeners.delete(key);
    if (!Array.isArray(current)) return;
    const index = current.indexOf(listener);
    if (index >= 0) current.splice(index, 1);
    if (current.length === 0) this.listeners.delete(key);
  }

  /** Hands `received` to every listener of `key`; a listener may leave while it runs. */
  deliver(key: string, received: ReceivedResolution): void {
    const current = this.listeners.get(key);
    if (current === undefined) return;
    if (!Array.isArray(current)) return current.onResolution(received);
    for (const listener of [...current]) listener.onResolution(received);
  }

  /** Tells every listener the manager is closing, and forgets them all. */
  close(error: Error): void {
    const all = [...this.listeners.values()].flat();
    this.listeners.clear();
    for (const listener of all) listener.onClose?.(error);
  }
}
