import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Settings, type SettingsPatch } from '../../../protocol/index.js';
import type { Logger } from '../log/logger.js';

/**
 * Preferences of one profile in a JSON file. Writes go to a temporary file first and are renamed
 * into place, so a crash mid-write leaves the previous settings, never half a file.
 */
export class SettingsStore {
  private current: Settings;

  constructor(
    private readonly file: string,
    private readonly log: Logger,
  ) {
    this.current = this.load();
  }

  get(): Settings {
    return { ...this.current };
  }

  update(patch: SettingsPatch): Settings {
    const next = Settings.parse({ ...this.current, ...stripUndefined(patch) });
    this.write(next);
    this.current = next;
    return this.get();
  }

  private load(): Settings {
    if (!existsSync(this.file)) return Settings.parse({});
    try {
      return Settings.parse(JSON.parse(readFileSync(this.file, 'utf8')));
    } catch (error) {
      // Keep the unreadable file for support instead of overwriting it.
      const aside = `${this.file}.corrupt-${Date.now()}`;
      try {
        renameSync(this.file, aside);
      } catch {
        // If even the rename fails, defaults still let the app start.
      }
      this.log.warn('settings file unreadable, moved aside and defaults used', {
        file: this.file,
        movedTo: aside,
        reason: error instanceof Error ? error.message : String(error),
      });
      return Settings.parse({});
    }
  }

  private write(settings: Settings): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(settings, null, 2));
    renameSync(tmp, this.file);
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
