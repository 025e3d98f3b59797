import type { LineView } from './types.js';

/** A fresh line as the UI first sees it: incoming, or dialling out. */
export function newLineView(
  id: string,
  slot: number,
  direction: 'in' | 'out',
  remoteUser: string,
  values: Partial<LineView> = {},
): LineView {
  return {
    id,
    slot,
    direction,
    status: direction === 'in' ? 'incoming' : 'dialing',
    remoteUser,
    remoteName: undefined,
    caller: undefined,
    dialled: undefined,
    lookup: null,
    localHold: false,
    remoteHold: false,
    muted: false,
    startedAt: Date.now(),
    answeredAt: undefined,
    endedAt: undefined,
    outcome: undefined,
    endCode: undefined,
    consultationFor: undefined,
    transfer: undefined,
    dtmfSent: '',
    dtmfReceived: '',
    recordId: undefined,
    viaTransfer: false,
    consultAbout: undefined,
    transferredBy: undefined,
    route: undefined,
    ...values,
  };
}

/** The history outcome of an ended line: an explicit one (transfer, DND) wins, else the end code decides. */
export function finalOutcome(view: LineView): NonNullable<LineView['outcome']> {
  if (view.outcome) return view.outcome;
  if (view.answeredAt) return 'answered';
  if (view.endCode === 486) return 'busy';
  if (view.endCode === 603) return 'rejected';
  if (view.direction === 'in') return 'missed';
  return view.endCode ? 'failed' : 'missed';
}
