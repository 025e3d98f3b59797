/** A state change that the machine's table does not allow: a bug in whoever asked for it. */
export class IllegalTransition extends Error {
  constructor(what: string, from: string, to: string) {
    super(`${what}: no transition from ${from} to ${to}`);
    this.name = 'IllegalTransition';
  }
}

/**
 * Throws IllegalTransition unless `to` is `from` itself (a state set again, with new details) or
 * one of the states `table` lists after `from`.
 */
export function checkTransition<S extends string>(table: Record<S, readonly S[]>, what: string, from: S, to: S): void {
  if (from !== to && !table[from].includes(to)) throw new IllegalTransition(what, from, to);
}
