import { createRequire } from 'node:module';

/**
 * require() for the modules the built main process loads at run time instead of bundling them
 * (`MAIN_RUNTIME_MODULES` in vite.electron.config.ts): native addons and CommonJS packages. They
 * are never loaded with import(): Node's ESM loader reading from inside app.asar is a path on which
 * Electron releases have broken more than once.
 */
export const runtimeRequire = createRequire(import.meta.url);
