import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MUTATIONS } from '../../../scripts/mutations.js';
import { REPO_ROOT } from '../../helpers/repo-root.js';

/**
 * The mutation list is only worth something while each entry still applies to the code and names tests that
 * exist: a stale `from` or a moved test would let the mutation check pass without checking anything.
 */
describe('the security mutation list', () => {
  it('every mutation finds its code exactly once and names test files that exist', () => {
    const problems = MUTATIONS.flatMap((m) => {
      const text = readFileSync(join(REPO_ROOT, m.file), 'utf8');
      const count = text.split(m.from).length - 1;
      return [
        ...(count === 1 ? [] : [`${m.id}: found ${count} times in ${m.file}`]),
        ...m.tests.filter((t) => !existsSync(join(REPO_ROOT, t))).map((t) => `${m.id}: no test file ${t}`),
      ];
    });
    expect(problems).toEqual([]);
    expect(new Set(MUTATIONS.map((m) => m.id)).size).toBe(MUTATIONS.length);
  });
});
