import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClosedCall, missedCallsDir } from '../server/sync/missed-call-import.js';

export { missedCallsDir };

/**
 * Calls to a closed firm, for the firm's teleworkers to call back: Kamailio logs one line per such
 * call (route[FIRM_CLOSED]: `FIRMDAY-CLOSED tenant=… caller=… dialled=… callid=…`); the stack writes
 * each into HOME/pbx/missed-calls/ as a small JSON file, and the central server turns the files into
 * synced `call` records of the firm (server/sync/missed-call-import.ts) and removes them. A server that
 * is down finds them when it starts again.
 */
/** The fields of a FIRMDAY-CLOSED log line, or undefined for any other line. */
export function parseClosedLine(line: string, at = new Date()): ClosedCall | undefined {
  const match = /FIRMDAY-CLOSED tenant=(\S+) caller=(\S+) dialled=(\S+) callid=(\S+)/.exec(line);
  if (!match) return undefined;
  const parsed = ClosedCall.safeParse({
    tenant: match[1],
    caller: match[2],
    dialled: match[3],
    callId: match[4],
    at: at.toISOString(),
  });
  return parsed.success ? parsed.data : undefined;
}

export function spoolClosedCall(pbxDir: string, line: string, log?: (line: string) => void): void {
  const call = parseClosedLine(line);
  if (!call) return;
  try {
    const dir = missedCallsDir(pbxDir);
    mkdirSync(dir, { recursive: true });
    const name = `${Date.now()}-${call.callId.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80)}.json`;
    const tmp = join(dir, `.${name}.tmp`);
    writeFileSync(tmp, JSON.stringify(call) + '\n');
    renameSync(tmp, join(dir, name));
  } catch (error) {
    log?.(`closed call not recorded: ${(error as Error).message}`);
  }
}
