import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { StoreChanged } from '../../protocol/index.js';
import { LocalStore, type LocalStoreOptions } from '../../electron/core/store/store.js';

const dirs: string[] = [];
const stores: LocalStore[] = [];

afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vermittlung-store-'));
  dirs.push(dir);
  return dir;
}

export function openStore(file = join(tempDir(), 'vermittlung.db'), options: LocalStoreOptions = {}) {
  const changes: StoreChanged[] = [];
  const store = LocalStore.open(file, { onChanged: (c) => changes.push(c), ...options });
  stores.push(store);
  return { store, file, changes };
}

export function seedFirms(store: LocalStore): void {
  store.lookup.seedTenants([
    {
      id: 'schreinerei',
      name: 'Schreinerei Müller',
      numbers: ['+49 30 5550100'],
      greeting: 'Schreinerei Müller, guten Tag',
      hours: 'Di 8–12',
    },
    { id: 'elektro', name: 'Elektro Weiß', numbers: ['089 5550200'] },
  ]);
}
