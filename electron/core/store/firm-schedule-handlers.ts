import type { firmScheduleMethods } from '../../../protocol/index.js';
import type { HandlersFor } from '../host-api/dispatch.js';
import type { FirmScheduleRepository } from './firm-schedules.js';
import type { LocalStore } from './store.js';

/** The firm schedules' host API (protocol/firm-desk.ts); input is validated by the dispatcher. */
export function firmScheduleHandlers(
  store: LocalStore,
  schedules: FirmScheduleRepository,
): HandlersFor<typeof firmScheduleMethods> {
  return {
    'firmSchedule.list': () => schedules.list(),
    'firmSchedule.set': (i) => store.write(() => schedules.set(i.tenant, i.part, i.value)),
    'officeHours.set': (i) => store.write(() => schedules.setOfficeHours(i.hours)),
  };
}
