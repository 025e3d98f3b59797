/**
 * The main window's size, position and maximised state, kept in the profile. Restoring is careful:
 * a monitor may have been unplugged since, so a window that would land off every display's work
 * area is put back on the primary display, and a window larger than its display is shrunk to fit.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

const Int = z.number().int().min(-100_000).max(100_000);
export const WindowState = z.object({
  x: Int,
  y: Int,
  width: z.number().int().min(1).max(100_000),
  height: z.number().int().min(1).max(100_000),
  maximized: z.boolean().default(false),
});
export type WindowState = z.infer<typeof WindowState>;

export const DEFAULT_SIZE = { width: 1280, height: 800 };
export const MIN_SIZE = { width: 900, height: 600 };
/** How much of the title bar must be on a display for the window to count as reachable. */
const MIN_VISIBLE = 100;

export function loadWindowState(file: string): WindowState | undefined {
  try {
    const parsed = WindowState.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function saveWindowState(file: string, state: WindowState): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(WindowState.parse(state)));
  renameSync(tmp, file);
}

/**
 * Bounds to open the window with. `workAreas` are the displays' work areas, the primary first.
 * Without a usable saved state the window opens centred on the primary display.
 */
export function restoreBounds(saved: WindowState | undefined, workAreas: readonly Rect[]): Rect & { maximized: boolean } {
  const primary = workAreas[0] ?? { x: 0, y: 0, width: DEFAULT_SIZE.width, height: DEFAULT_SIZE.height };
  if (saved) {
    const display = workAreas.find((area) => titleBarVisible(saved, area));
    if (display) {
      const width = clamp(saved.width, MIN_SIZE.width, display.width);
      const height = clamp(saved.height, MIN_SIZE.height, display.height);
      return {
        x: clamp(saved.x, display.x, display.x + display.width - width),
        y: clamp(saved.y, display.y, display.y + display.height - height),
        width,
        height,
        maximized: saved.maximized,
      };
    }
  }
  const width = clamp(saved?.width ?? DEFAULT_SIZE.width, MIN_SIZE.width, primary.width);
  const height = clamp(saved?.height ?? DEFAULT_SIZE.height, MIN_SIZE.height, primary.height);
  return {
    x: primary.x + Math.round((primary.width - width) / 2),
    y: primary.y + Math.round((primary.height - height) / 2),
    width,
    height,
    maximized: saved?.maximized ?? false,
  };
}

function titleBarVisible(window: Rect, area: Rect): boolean {
  const overlapX = Math.min(window.x + window.width, area.x + area.width) - Math.max(window.x, area.x);
  const top = window.y;
  return overlapX >= MIN_VISIBLE && top >= area.y && top < area.y + area.height - 20;
}

function clamp(value: number, min: number, max: number): number {
  // A display smaller than the minimum size wins over the minimum.
  return Math.max(Math.min(min, max), Math.min(value, max));
}
