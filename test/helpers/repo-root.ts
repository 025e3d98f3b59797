import { join } from 'node:path';

/** The repository's root, for tests that read its files wherever the test itself sits. */
export const REPO_ROOT = join(import.meta.dirname, '..', '..');
