/** A refusal with its HTTP status; the HTTP layer turns it into `SyncErrorBody`. */
export class SyncHttpError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 413 | 503,
    readonly code: string,
    message: string,
    readonly item?: string,
  ) {
    super(message);
    this.name = 'SyncHttpError';
  }

  toBody(): { error: { code: string; message: string; item?: string } } {
    return { error: { code: this.code, message: this.message, ...(this.item === undefined ? {} : { item: this.item }) } };
  }
}
