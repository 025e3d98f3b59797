import type { HostEvent, HostEventName, HostEventPayload } from '../../protocol/index.js';

export type HostEventListener = (event: HostEvent) => void;

/** Fan-out of host events to every connected renderer (Electron windows, browser-shell sockets). */
export class HostEventBus {
  private readonly listeners = new Set<HostEventListener>();

  emit<E extends HostEventName>(event: E, payload: HostEventPayload<E>): void {
    const message = { event, payload } as HostEvent;
    for (const listener of [...this.listeners]) {
      try {
        listener(message);
      } catch {
        // One broken window must not stop the others from hearing about changes.
      }
    }
  }

  subscribe(listener: HostEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
