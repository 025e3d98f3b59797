/** The server logs JSON lines to stderr (stdout carries only the ready line), in English. */
export type ServerLog = (message: string, fields?: Record<string, unknown>) => void;

export function stderrLog(scope: string): ServerLog {
  return (message, fields) => {
    process.stderr.write(`${JSON.stringify({ at: new Date().toISOString(), scope, message, ...fields })}\n`);
  };
}
