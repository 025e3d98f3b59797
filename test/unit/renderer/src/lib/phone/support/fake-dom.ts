/**
 * The few browser globals the phone engine touches outside SIP (an <audio> element per line, the
 * ringtone, online/visibility events), so it runs in Node. The ringtones started are kept: call
 * waiting rings quieter, and a test reads the volume.
 */
export interface FakeDom {
  /** Volume of every ringtone that started playing, in order. */
  rings: number[];
  restore(): void;
}

type Listener = (event: unknown) => void;

function eventTarget() {
  const listeners = new Map<string, Set<Listener>>();
  return {
    addEventListener: (type: string, listener: Listener) => {
      if (!listeners.has(type)) listeners.set(type, new Set());
      listeners.get(type)!.add(listener);
    },
    removeEventListener: (type: string, listener: Listener) => listeners.get(type)?.delete(listener),
    dispatchEvent: (event: { type: string }) => {
      for (const listener of listeners.get(event.type) ?? []) listener(event);
      return true;
    },
  };
}

export function installFakeDom(): FakeDom {
  const rings: number[] = [];
  const saved = new Map<string, PropertyDescriptor | undefined>();
  const element = () => ({
    autoplay: false,
    loop: false,
    volume: 1,
    currentTime: 0,
    srcObject: null as unknown,
    dataset: {} as Record<string, string>,
    pause() {},
    play(this: { volume: number }) {
      return Promise.resolve();
    },
  });
  class FakeAudio {
    loop = false;
    volume = 1;
    currentTime = 0;
    constructor(readonly src: string) {}
    play(): Promise<void> {
      rings.push(this.volume);
      return Promise.resolve();
    }
    pause(): void {}
  }
  const globals: Record<string, unknown> = {
    window: eventTarget(),
    document: { ...eventTarget(), visibilityState: 'visible', createElement: () => element() },
    navigator: { onLine: true },
    Audio: FakeAudio,
  };
  for (const [name, value] of Object.entries(globals)) {
    saved.set(name, Object.getOwnPropertyDescriptor(globalThis, name));
    Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
  }
  return {
    rings,
    restore() {
      for (const [name, descriptor] of saved) {
        if (descriptor) Object.defineProperty(globalThis, name, descriptor);
        else delete (globalThis as Record<string, unknown>)[name];
      }
    },
  };
}
