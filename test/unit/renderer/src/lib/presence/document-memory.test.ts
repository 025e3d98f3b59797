import { describe, expect, it } from 'vitest';
import { storageDocumentMemory } from '../../../../../../renderer/src/lib/presence/document-memory.js';

function fakeStorage() {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
  };
}

describe('presence document memory (the ETag a crashed page leaves for the next one)', () => {
  const aor = 'sip:anna@pbx.example.net';

  it('recalls the ETag for the same AoR until the document would have expired', () => {
    let now = 1_000_000;
    const storage = fakeStorage();
    const memory = storageDocumentMemory(storage, () => now);
    memory.remember(aor, 'a.1-xyz', 300);
    expect(memory.recall(aor)).toBe('a.1-xyz');
    expect(memory.recall('sip:max@pbx.example.net')).toBeUndefined();
    now += 299_000;
    expect(memory.recall(aor)).toBe('a.1-xyz');
    now += 1_000;
    expect(memory.recall(aor)).toBeUndefined();
  });

  it('forgets a withdrawn document', () => {
    const memory = storageDocumentMemory(fakeStorage());
    memory.remember(aor, 'e1', 300);
    memory.remember(aor, undefined, 0);
    expect(memory.recall(aor)).toBeUndefined();
    memory.remember(aor, 'e2', 300);
    memory.remember(aor, 'e2', 0);
    expect(memory.recall(aor)).toBeUndefined();
  });

  it('puts nothing into a header that is not a plain token, and survives broken or failing storage', () => {
    const storage = fakeStorage();
    const memory = storageDocumentMemory(storage);
    for (const stored of ['{', 'null', '[]', '{"aor":"sip:anna@pbx.example.net","etag":5,"until":9e15}']) {
      storage.items.set('vermittlung.presence.document', stored);
      expect(memory.recall(aor)).toBeUndefined();
    }
    memory.remember(aor, 'x\r\nVia: evil', 300);
    expect(memory.recall(aor)).toBeUndefined();
    const full = storageDocumentMemory({
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
      removeItem: () => undefined,
    });
    expect(() => full.remember(aor, 'e', 300)).not.toThrow();
    expect(full.recall(aor)).toBeUndefined();
  });
});
