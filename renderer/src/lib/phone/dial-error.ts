/** Why a number could not be dialled or a call not transferred; the UI shows `phone.dialError.<reason>`. */
export class DialError extends Error {
  constructor(readonly reason: 'empty' | 'invalid' | 'no_line' | 'no_mobile' | 'consult_not_ready') {
    super(`cannot dial: ${reason}`);
  }
}
