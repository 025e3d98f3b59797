import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadWindowState, restoreBounds, saveWindowState } from '../../../../electron/main/window-state.js';

const laptop = { x: 0, y: 0, width: 1920, height: 1040 };
const rightMonitor = { x: 1920, y: 0, width: 2560, height: 1400 };

describe('window state', () => {
  it('round-trips through the profile and ignores a damaged or hostile file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'vermittlung-ws-')), 'window-state.json');
    expect(loadWindowState(file)).toBeUndefined();
    saveWindowState(file, { x: 10, y: 20, width: 1000, height: 700, maximized: true });
    expect(loadWindowState(file)).toEqual({ x: 10, y: 20, width: 1000, height: 700, maximized: true });
    writeFileSync(file, '{"x": 1, "y":');
    expect(loadWindowState(file)).toBeUndefined();
    writeFileSync(file, JSON.stringify({ x: 1e12, y: 0, width: 100, height: 100 }));
    expect(loadWindowState(file)).toBeUndefined();
    expect(() => saveWindowState(file, { x: 0, y: 0, width: 0, height: 10, maximized: false })).toThrow();
    expect(readFileSync(file, 'utf8')).toContain('1000000000000'); // a refused write leaves the old file
  });

  it('restores the window where it was when that display is still there', () => {
    const saved = { x: 2100, y: 100, width: 1200, height: 900, maximized: true };
    expect(restoreBounds(saved, [laptop, rightMonitor])).toEqual({ ...saved });
  });

  it('brings a window back onto the primary display when its monitor is gone', () => {
    const saved = { x: 2100, y: 100, width: 1200, height: 900, maximized: false };
    const bounds = restoreBounds(saved, [laptop]);
    expect(bounds).toEqual({ x: 360, y: 70, width: 1200, height: 900, maximized: false });
  });

  it('shrinks a window larger than its display and pulls a half-hidden title bar into view', () => {
    expect(restoreBounds({ x: -200, y: 500, width: 3000, height: 2000, maximized: false }, [laptop])).toEqual({
      x: 0,
      y: 0,
      width: 1920,
      height: 1040,
      maximized: false,
    });
    // Title bar above the top of every display: not reachable with the mouse.
    expect(restoreBounds({ x: 100, y: -300, width: 1000, height: 700, maximized: false }, [laptop])).toMatchObject({
      x: 460,
      y: 170,
    });
  });

  it('opens centred at the default size without saved state', () => {
    expect(restoreBounds(undefined, [laptop])).toEqual({ x: 320, y: 120, width: 1280, height: 800, maximized: false });
    expect(restoreBounds(undefined, [])).toMatchObject({ width: 1280, height: 800 });
  });
});
