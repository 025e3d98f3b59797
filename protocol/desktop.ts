/**
 * Desktop integration between the renderer and its host: call state (updates wait for the end of a
 * call, the display stays awake during one), own presence for the tray icon, call notifications,
 * tel:/sip:/callto: links, the global answer/hang-up shortcut and the auto-updater.
 *
 * The browser shell implements the same methods with nothing behind them (no tray, no updater), so
 * the renderer calls them unconditionally.
 */
import { z } from 'zod';
import { NoInput, Void } from './method-io.js';

/** A dialable phone number: an optional leading +, then digits, * and # only (visual separators removed). */
export const DialNumber = z.string().regex(/^\+?[0-9*#]{2,32}$/, 'not a dialable number');

/** A canonical SIP URI `sip:user@host[:port]`; parameters and headers are never carried over from a link. */
export const DialSipUri = z
  .string()
  .max(320)
  .regex(
    /^sip:[A-Za-z0-9._~+!$'*-]{1,64}@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\[[0-9a-f:.]{2,45}\])(?::[0-9]{1,5})?$/,
    'not a SIP URI',
  );

/** A link the OS handed to the app (tel:, sip:, callto:), parsed and validated by electron/core/links. */
export const DialLink = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('number'), number: DialNumber, scheme: z.enum(['tel', 'callto']) }),
  z.strictObject({ kind: z.literal('sip'), uri: DialSipUri, scheme: z.enum(['sip', 'callto']) }),
]);
export type DialLink = z.infer<typeof DialLink>;

/** Own presence as the presence engine reports it; the tray shows `in-call` by itself during a call. */
export const OwnPresence = z.enum(['available', 'away', 'dnd', 'offline']);
export type OwnPresence = z.infer<typeof OwnPresence>;
export const TrayStatus = z.enum(['available', 'away', 'dnd', 'offline', 'in-call']);
export type TrayStatus = z.infer<typeof TrayStatus>;

/** Text comes from the renderer, already in the user's language; the host only shows it. */
export const CallNotification = z.strictObject({
  id: z.string().min(1).max(100),
  /** `mail`: new mail of the craftsman's firm (docs/mail-intake.md); a click opens it on "Post". */
  kind: z.enum(['incoming', 'missed', 'mail']),
  title: z.string().min(1).max(200),
  body: z.string().max(500).default(''),
});
export type CallNotification = z.infer<typeof CallNotification>;

export const NotificationClick = z.strictObject({
  id: z.string().min(1).max(100),
  kind: z.enum(['incoming', 'missed', 'mail']),
  /** `answer` for a ringing call, `open` (show the call list, or the mail item) otherwise. */
  action: z.enum(['answer', 'open']),
});
export type NotificationClick = z.infer<typeof NotificationClick>;

export const UpdateChannel = z.enum(['stable', 'beta']);
export type UpdateChannel = z.infer<typeof UpdateChannel>;

const MODIFIER = '(?:CommandOrControl|CmdOrCtrl|Command|Cmd|Control|Ctrl|Alt|Option|AltGr|Shift|Super|Meta)';
const KEY =
  '(?:[A-Z0-9]|F(?:[1-9]|1[0-9]|2[0-4])|Space|Tab|Enter|Return|Backspace|Delete|Insert|Home|End|PageUp|PageDown|Up|Down|Left|Right|Escape|Esc|Plus|MediaPlayPause|MediaStop|MediaNextTrack|MediaPreviousTrack)';
/**
 * An Electron accelerator with at least one modifier: a global shortcut on a bare key would take
 * that key away from every other application on the desktop.
 */
export const Accelerator = z
  .string()
  .max(80)
  .regex(new RegExp(`^(?:${MODIFIER}\\+){1,3}${KEY}$`), 'not an accelerator with a modifier, e.g. CommandOrControl+Shift+Space');

export const UpdateState = z.enum([
  /** No updater in this host (browser shell, unpackaged development build). */
  'unsupported',
  'idle',
  'checking',
  'up-to-date',
  'downloading',
  'downloaded',
  /** The user agreed to install, but a call is active: installs when the call ends. */
  'install-deferred',
  'installing',
  'error',
]);
export const UpdateErrorCode = z.enum(['feed_unreachable', 'signature_invalid', 'checksum_mismatch', 'unknown']);
export type UpdateErrorCode = z.infer<typeof UpdateErrorCode>;

export const UpdateStatus = z.object({
  state: UpdateState,
  channel: UpdateChannel,
  currentVersion: z.string(),
  /** The version found on the feed, once known. */
  version: z.string().optional(),
  percent: z.number().min(0).max(100).optional(),
  error: z.object({ code: UpdateErrorCode, message: z.string() }).optional(),
  /** ISO time of the last finished check. */
  checkedAt: z.string().optional(),
});
export type UpdateStatus = z.infer<typeof UpdateStatus>;

/**
 * What asking to become the default for tel:, sip: and callto: did: `registered` (macOS, Linux),
 * `opened-settings` (Windows lets only the user choose: its Default-apps settings were opened), or
 * `unsupported` (browser shell, unpackaged build, or the OS refused).
 */
export const LinkClaimOutcome = z.enum(['registered', 'opened-settings', 'unsupported']);
export type LinkClaimOutcome = z.infer<typeof LinkClaimOutcome>;

/** The craftsman's switch in the tray (docs/firm-day.md): begin or end his Sprechstunde, or not reachable today. */
export const FirmSwitchAction = z.enum(['start', 'end', 'closed-today']);
export type FirmSwitchAction = z.infer<typeof FirmSwitchAction>;
/**
 * What the tray shows of the craftsman's firm: whether his Sprechstunde runs and a line saying the mode
 * and its end ("Sprechstunde bis 12:00"), in the app's language; null hides the switch (not a craftsman).
 */
export const FirmSwitchState = z.strictObject({ consulting: z.boolean(), status: z.string().max(200) }).nullable();
export type FirmSwitchState = z.infer<typeof FirmSwitchState>;

export const desktopMethods = {
  /** The renderer reports whether a call is active (ringing does not count; a held call does). */
  'desktop.callState': { input: z.strictObject({ callActive: z.boolean() }), output: Void },
  'desktop.presence': { input: z.strictObject({ status: OwnPresence }), output: Void },
  'desktop.firmSwitch': { input: z.strictObject({ state: FirmSwitchState }), output: Void },
  /**
   * Own presence turns "Abwesend" after this many seconds without input anywhere on the machine
   * (0 = never). `system: false` when the host cannot see system idle time (browser shell): the
   * renderer then falls back to its own detection. Changes arrive as `desktop.idle` events.
   */
  'desktop.idle.watch': {
    input: z.strictObject({ thresholdSeconds: z.number().int().min(0).max(14_400) }),
    output: z.object({ system: z.boolean() }),
  },
  /** Shows a call notification; `shown: false` when notifications are off or the host has none. */
  'desktop.notify': { input: CallNotification, output: z.object({ shown: z.boolean() }) },
  'desktop.notify.close': { input: z.strictObject({ id: z.string().min(1).max(100) }), output: Void },
  /** Links that arrived before the renderer listened (e.g. the app was started by a tel: link). */
  'desktop.links.take': { input: NoInput, output: z.array(DialLink) },
  /** The user asked to make the app the default for phone links; never done without being asked. */
  'desktop.links.claim': { input: NoInput, output: z.object({ outcome: LinkClaimOutcome }) },
  'desktop.update.status': { input: NoInput, output: UpdateStatus },
  'desktop.update.check': { input: NoInput, output: UpdateStatus },
  /** The user agreed to install now; deferred to the end of the call if one is active. */
  'desktop.update.install': { input: NoInput, output: UpdateStatus },
} as const;

export const desktopEvents = {
  'link.dial': DialLink,
  'desktop.notification.clicked': NotificationClick,
  /** The global shortcut was pressed: answer a ringing call, or hang up the active one. */
  'desktop.shortcut': z.object({ action: z.literal('answer-or-hangup') }),
  /** A status was chosen in the tray menu; the presence engine decides and reports back via desktop.presence. */
  'desktop.presence.requested': z.object({ status: OwnPresence }),
  /** The craftsman chose his switch in the tray menu; the renderer writes the firm's override. */
  'desktop.firmSwitch.requested': z.object({ action: FirmSwitchAction }),
  /** System idle (or screen locked) crossed the threshold set with `desktop.idle.watch`, or ended. */
  'desktop.idle': z.strictObject({ idle: z.boolean() }),
  'desktop.update.status': UpdateStatus,
} as const;
