import { up as initial } from './001-initial.js';
import { up as callbackIndex } from './002-callback-index.js';
import { up as searchTenant } from './003-search-tenant.js';
import { up as syncQuarantine } from './004-sync-quarantine.js';
import { up as appointmentCall } from './005-appointment-call.js';
import { up as recordVersion } from './006-record-version.js';
import { up as firmSchedule } from './007-firm-schedule.js';
import { up as messageForm } from './008-message-form.js';
import { up as billing } from './009-billing.js';
import { up as documents } from './010-documents.js';
import { up as mailRegister } from './012-mail-register.js';

/**
 * Numbered migrations; entry i brings a database from user_version i to i + 1. TypeScript modules
 * rather than .sql files so that the bundled main process carries them. Never edit a released one.
 */
export const MIGRATIONS: readonly string[] = [
  initial,
  callbackIndex,
  searchTenant,
  syncQuarantine,
  appointmentCall,
  recordVersion,
  firmSchedule,
  messageForm,
  billing,
  documents,
  mailRegister,
];
export const SCHEMA_VERSION = MIGRATIONS.length;
