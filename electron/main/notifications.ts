import { Notification } from 'electron';
import type { CallNotification, NotificationClick } from '../../protocol/index.js';
import type { Logger } from '../core/log/logger.js';

/**
 * Call and mail notifications. A click on an incoming call's notification answers it, on a missed
 * call's or new mail's it opens the app; either way the window comes to the front and the renderer
 * hears about it (and opens the mail item on "Post").
 */
export class CallNotifier {
  // Electron drops click events of notifications nobody references any more.
  private readonly shown = new Map<string, Notification>();

  constructor(
    private readonly onClick: (click: NotificationClick) => void,
    private readonly showWindow: () => void,
    private readonly log: Logger,
  ) {}

  notify(notification: CallNotification): boolean {
    if (!Notification.isSupported()) return false;
    this.close(notification.id);
    const incoming = notification.kind === 'incoming';
    const shown = new Notification({
      title: notification.title,
      body: notification.body,
      // The ringtone is the renderer's; a second sound from the OS would only confuse.
      silent: true,
      urgency: incoming ? 'critical' : 'normal',
      timeoutType: incoming ? 'never' : 'default',
    });
    shown.on('click', () => {
      this.shown.delete(notification.id);
      this.showWindow();
      this.onClick({ id: notification.id, kind: notification.kind, action: incoming ? 'answer' : 'open' });
    });
    shown.on('close', () => {
      if (this.shown.get(notification.id) === shown) this.shown.delete(notification.id);
    });
    this.shown.set(notification.id, shown);
    try {
      shown.show();
    } catch (error) {
      this.shown.delete(notification.id);
      this.log.warn('notification could not be shown', { reason: String(error) });
      return false;
    }
    return true;
  }

  close(id: string): void {
    const existing = this.shown.get(id);
    if (!existing) return;
    this.shown.delete(id);
    existing.close();
  }

  closeAll(): void {
    for (const id of [...this.shown.keys()]) this.close(id);
  }
}
