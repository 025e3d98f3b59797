/**
 * Child process for the SIGKILL test: imports a CSV into a store and prints each committed batch,
 * so the parent can kill it in the middle of the import.
 */
import { LocalStore } from '../../../electron/core/store/store.js';

const [dbFile, csvFile] = process.argv.slice(2) as [string, string];
const store = LocalStore.open(dbFile);
await store.import({ tenant: 'kill', format: 'csv', csvProfile: 'generic', path: csvFile }, (report) => {
  process.stdout.write(`batch imported=${report.imported}\n`);
});
process.stdout.write('import finished\n');
