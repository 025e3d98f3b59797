import type { FastifyInstance } from 'fastify';
import { INVALID_UTF8_CODE } from '../../protocol/index.js';
import { SyncHttpError } from '../sync/errors.js';

/**
 * JSON bodies are decoded strictly: Fastify's own parser decodes UTF-8 leniently and would store
 * U+FFFD where the client sent bytes that are not UTF-8 — a value nobody wrote. Refused instead,
 * before any route runs. Everything else (body limit, prototype-poisoning checks, the errors for
 * empty and malformed JSON) stays Fastify's.
 */
export function strictUtf8Json(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = decoder.decode(body as Buffer);
    } catch {
      done(new SyncHttpError(400, INVALID_UTF8_CODE, 'the request body is not valid UTF-8'), undefined);
      return;
    }
    void parseJson(request, text, done);
  });
}
