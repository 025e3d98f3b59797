import { Menu, Tray, nativeImage, type MenuItemConstructorOptions } from 'electron';
import { join } from 'node:path';
import type { TrayStatus } from '../../protocol/index.js';
import { trayMenuModel, trayStatus, trayTooltip, type TrayAction, type TrayState } from './tray-menu.js';

/** The tray icon: own presence (or "in a call") as the icon, status, show and quit in its menu. */
export class TrayController {
  private tray: Tray | undefined;
  private shownStatus: TrayStatus | undefined;

  constructor(
    private readonly iconDir: string,
    private readonly onAction: (action: TrayAction) => void,
  ) {}

  update(state: TrayState): void {
    const status = trayStatus(state);
    if (!this.tray) {
      this.tray = new Tray(this.icon(status));
      this.tray.on('click', () => this.onAction({ type: 'show' }));
    } else if (status !== this.shownStatus) {
      this.tray.setImage(this.icon(status));
    }
    this.shownStatus = status;
    this.tray.setToolTip(trayTooltip(state));
    this.tray.setContextMenu(Menu.buildFromTemplate(trayMenuModel(state).map((item) => this.toMenuItem(item))));
  }

  destroy(): void {
    this.tray?.destroy();
    this.tray = undefined;
  }

  private toMenuItem(item: ReturnType<typeof trayMenuModel>[number]): MenuItemConstructorOptions {
    if (item.kind === 'separator') return { type: 'separator' };
    const action = item.action;
    return {
      id: item.id,
      label: item.label,
      type: item.kind,
      ...(item.checked === undefined ? {} : { checked: item.checked }),
      ...(item.enabled === undefined ? {} : { enabled: item.enabled }),
      click: action ? () => this.onAction(action) : undefined,
    };
  }

  private icon(status: TrayStatus) {
    // nativeImage picks up `<status>@2x.png` beside it on high-DPI displays.
    return nativeImage.createFromPath(join(this.iconDir, `${status}.png`));
  }
}
