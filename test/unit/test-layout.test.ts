/**
 * The house rule "the unit test of a file sits at its mirrored path": `electron/main/window-state.ts` is
 * tested by `test/unit/electron/main/window-state.test.ts`, and a second file of tests for one module names
 * its aspect after a dot (`composition.identity.test.ts`). Only tests of the tree as a whole sit at the root.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/repo-root.js';

const UNIT = join(REPO_ROOT, 'test', 'unit');
/** Tests whose subject is the whole tree (layering, lint rules, this layout). */
const TREE_TESTS = new Set(['architecture.test.ts', 'lint-rules.test.ts', 'test-layout.test.ts']);
const SOURCE_ENDINGS = ['.ts', '.svelte.ts', '.svelte', '.js', '.mjs'];

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return testFiles(path);
    return name.endsWith('.test.ts') ? [relative(UNIT, path)] : [];
  });
}

/** The source files a test at `path` may be the test of: `a/b.test.ts` and `a/b.aspect.test.ts` → `a/b.*`. */
function subjects(path: string): string[] {
  const stem = path.replace(/\.test\.ts$/, '');
  const names = [stem];
  const dot = stem.lastIndexOf('.');
  if (dot > stem.lastIndexOf('/')) names.push(stem.slice(0, dot));
  return names.flatMap((name) => [name, ...SOURCE_ENDINGS.map((ending) => name + ending)]);
}

describe('test layout', () => {
  it('every unit test sits at the path of the file it tests', () => {
    const stray = testFiles(UNIT)
      .filter((path) => !TREE_TESTS.has(path))
      .filter(
        (path) =>
          !subjects(path).some(
            (candidate) => existsSync(join(REPO_ROOT, candidate)) && statSync(join(REPO_ROOT, candidate)).isFile(),
          ),
      );
    expect(stray).toEqual([]);
  });

  it('tells a stray test from a mirrored one', () => {
    expect(subjects('electron/main/window-state.test.ts')).toContain('electron/main/window-state.ts');
    expect(subjects('electron/core/composition.identity.test.ts')).toContain('electron/core/composition.ts');
    expect(subjects('electron-builder.config.test.ts')).toContain('electron-builder.config.ts');
  });
});
