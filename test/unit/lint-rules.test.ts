import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

/** Lints a deliberate violation as if it sat at `virtualPath` in the real tree, with the real config. */
async function lintAs(fixture: string, virtualPath: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText(readFileSync(join(root, 'test/fixtures/lint', fixture), 'utf8'), {
    filePath: join(root, virtualPath),
  });
  // A virtual path must be a real file of a tsconfig, or the parser fails instead of the rule.
  expect(result?.messages.filter((m) => m.fatal)).toEqual([]);
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('layering lint rules', () => {
  it('fails when a core service imports electron', async () => {
    const messages = await lintAs('electron/core/uses-electron.ts', 'electron/core/host-api/dispatch.ts');
    expect(messages.some((m) => m.startsWith('no-restricted-imports') && m.includes('plain Node'))).toBe(true);
  }, 60_000);

  it('fails when the renderer imports Node built-ins', async () => {
    const messages = await lintAs('renderer/src/uses-node.ts', 'renderer/src/lib/host/client.ts');
    expect(messages.filter((m) => m.startsWith('no-restricted-imports'))).toHaveLength(2);
  }, 60_000);

  it('fails when the renderer imports the server or the electron tree', async () => {
    const messages = await lintAs('renderer/src/uses-server.ts', 'renderer/src/lib/host/client.ts');
    expect(messages.filter((m) => m.startsWith('no-restricted-imports') && m.includes('only through protocol/'))).toHaveLength(2);
  }, 60_000);

  it('fails when a core service imports a server module', async () => {
    const messages = await lintAs('electron/core/uses-server.ts', 'electron/core/host-api/dispatch.ts');
    expect(messages.some((m) => m.startsWith('no-restricted-imports') && m.includes('sync API'))).toBe(true);
  }, 60_000);

  it('fails when a component calls the host API itself', async () => {
    const messages = await lintAs('renderer/src/calls-host.svelte', 'renderer/src/views/agenda/AgendaView.svelte');
    expect(messages.some((m) => m.startsWith('no-restricted-imports') && m.includes('state module'))).toBe(true);
  }, 60_000);

  it('fails on a floating promise (type-aware rule)', async () => {
    const messages = await lintAs('renderer/src/floating.ts', 'renderer/src/lib/host/browser-bridge.ts');
    expect(messages.some((m) => m.startsWith('@typescript-eslint/no-floating-promises'))).toBe(true);
  }, 60_000);
});
