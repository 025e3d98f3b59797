import { TransportState } from 'sip.js';
import { describe, expect, it } from 'vitest';
import { transportTransitions } from '../../../../../../renderer/src/lib/phone/bridged-transport.js';
import { checkMove, registrationTransitions } from '../../../../../../renderer/src/lib/phone/registration-state.js';
import { checkTransition, IllegalTransition } from '../../../../../../renderer/src/lib/phone/state-machine.js';
import type { RegistrationStatus } from '../../../../../../renderer/src/lib/phone/types.js';

const statuses = Object.keys(registrationTransitions) as RegistrationStatus[];

describe('registration state machine', () => {
  it('starts only by connecting, and stops from anywhere', () => {
    for (const to of statuses) {
      if (to === 'connecting' || to === 'unregistered') expect(() => checkMove('unregistered', to)).not.toThrow();
      else expect(() => checkMove('unregistered', to)).toThrow(IllegalTransition);
    }
    for (const from of statuses) expect(() => checkMove(from, 'unregistered')).not.toThrow();
  });

  it('is registered only through a REGISTER, and a refused one stays failed until one succeeds', () => {
    expect(() => checkMove('connecting', 'registered')).toThrow('registration: no transition from connecting to registered');
    expect(() => checkMove('registering', 'registered')).not.toThrow();
    expect(() => checkMove('failed', 'registering')).toThrow(IllegalTransition);
    expect(() => checkMove('failed', 'reconnecting')).toThrow(IllegalTransition);
    expect(() => checkMove('failed', 'registered')).not.toThrow();
    // Setting a status again (a new attempt number) is always allowed.
    expect(() => checkMove('reconnecting', 'reconnecting')).not.toThrow();
  });
});

describe('transport state machine', () => {
  const check = (from: TransportState, to: TransportState) => () => checkTransition(transportTransitions, 'transport', from, to);

  it('connects only through Connecting, and leaves Connected only towards Disconnected', () => {
    expect(check(TransportState.Disconnected, TransportState.Connected)).toThrow(IllegalTransition);
    expect(check(TransportState.Disconnected, TransportState.Connecting)).not.toThrow();
    expect(check(TransportState.Connecting, TransportState.Connected)).not.toThrow();
    expect(check(TransportState.Connected, TransportState.Connecting)).toThrow(IllegalTransition);
    expect(check(TransportState.Connected, TransportState.Disconnecting)).not.toThrow();
    expect(check(TransportState.Disconnecting, TransportState.Connected)).toThrow(IllegalTransition);
  });
});
