import { describe, expect, it } from 'vitest';
import { HostError, encodeSchedulePart, formatVersion, type PulledChange } from '../../../../../protocol/index.js';
import { FirmScheduleRepository, firmScheduleRecordId } from '../../../../../electron/core/store/firm-schedules.js';
import { firmScheduleRecordId as serverRecordId } from '../../../../../server/sync/firm-schedule-id.js';
import { openStore } from '../../../../helpers/unit-store.js';

const REMOTE = 'aaaaaaaaaaaaaaaa';
const version = (counter: number) => formatVersion(Date.now() + 60_000, counter, REMOTE);
const pulled = (field: string, value: string, counter: number, tenant = 'glaserei'): PulledChange => ({
  table: 'firm_schedule',
  id: firmScheduleRecordId(tenant),
  tenant,
  field,
  value,
  version: version(counter),
  author: 'server',
});

/** The craftsman's switch and the firm overview read and write the synced schedule through this. */
describe('the firm schedules in the local store', () => {
  it('derives the record id the server derives and reads a pulled schedule as one FirmSchedule', () => {
    // Both derive the one record of a firm: a second id would be a second schedule.
    expect(firmScheduleRecordId('glaserei')).toBe(serverRecordId('glaserei'));
    const { store } = openStore();
    const repo = new FirmScheduleRepository(
      store.writer,
      () => false,
      () => false,
    );
    expect(repo.list()).toEqual([]);
    store.sync.applyPulled(
      [
        pulled('bundesland', encodeSchedulePart('bundesland', 'HH'), 0),
        pulled('consultation', encodeSchedulePart('consultation', { tue: [{ start: '08:00', end: '12:00' }] }), 1),
      ],
      '3',
    );
    const [entry] = repo.list();
    expect(entry?.tenant).toBe('glaserei');
    expect(entry?.schedule?.bundesland).toBe('HH');
    expect(entry?.schedule?.consultation.tue).toEqual([{ start: '08:00', end: '12:00' }]);
    expect(entry?.schedule?.override).toBeNull();
  });

  it("writes the craftsman's override as one synced field into the outbox", () => {
    const { store, changes } = openStore();
    const repo = new FirmScheduleRepository(
      store.writer,
      (tenant) => tenant === 'glaserei',
      () => false,
    );
    store.sync.applyPulled([pulled('bundesland', '"HH"', 0), pulled('consultation', '{}', 1)], '2');
    const override = encodeSchedulePart('override', { mode: 'consultation', until: null });
    const entry = store.write(() => repo.set('glaserei', 'override', override));
    expect(entry.schedule?.override).toEqual({ mode: 'consultation', until: null });
    const pending = store.sync.pendingChanges(10).map((p) => p.change);
    expect(pending).toEqual([
      expect.objectContaining({
        table: 'firm_schedule',
        id: firmScheduleRecordId('glaserei'),
        field: 'override',
        value: override,
      }),
    ]);
    expect(changes).toContainEqual({ table: 'firm_schedule', ids: [firmScheduleRecordId('glaserei')], source: 'local' });
  });

  it("refuses another firm's schedule and a value that is not the part, before anything reaches the outbox", () => {
    const { store } = openStore();
    const repo = new FirmScheduleRepository(
      store.writer,
      (tenant) => tenant === 'glaserei',
      () => false,
    );
    const refusal = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return error instanceof HostError ? error.code : String(error);
      }
      return 'written';
    };
    expect(refusal(() => repo.set('tischlerei', 'override', null))).toBe('forbidden');
    expect(refusal(() => repo.set('glaserei', 'override', '{"mode":"sleeping","until":null}'))).toBe('validation');
    expect(refusal(() => repo.set('glaserei', 'consultation', '{"tue":[{"start":"12:00","end":"08:00"}]}'))).toBe('validation');
    expect(store.sync.pendingCount()).toBe(0);
  });

  it("writes the office's hours into every firm's record for the lead only, and reads them back per firm", () => {
    const { store } = openStore();
    const tenantRow = (tenant: string, counter: number): PulledChange => ({
      table: 'tenant',
      id: firmScheduleRecordId(`${tenant}-record`),
      tenant,
      field: 'name',
      value: tenant,
      version: version(counter),
      author: 'server',
    });
    store.sync.applyPulled([tenantRow('glaserei', 0), tenantRow('tischlerei', 1)], '2');
    const week = { mon: [{ start: '07:00', end: '19:00' }], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };
    // Unset: the default week, Monday to Friday 08:00–18:00.
    expect(
      new FirmScheduleRepository(
        store.writer,
        () => true,
        () => true,
      ).get('glaserei').officeHours.fri,
    ).toEqual([{ start: '08:00', end: '18:00' }]);
    const craftsman = new FirmScheduleRepository(
      store.writer,
      () => true,
      () => false,
    );
    expect(() => store.write(() => craftsman.setOfficeHours(week))).toThrow(HostError);
    expect(store.sync.pendingCount()).toBe(0);
    const lead = new FirmScheduleRepository(
      store.writer,
      () => true,
      () => true,
    );
    const entries = store.write(() => lead.setOfficeHours(week));
    expect(entries.map((e) => [e.tenant, e.officeHours.mon, e.officeHours.fri])).toEqual([
      ['glaserei', [{ start: '07:00', end: '19:00' }], []],
      ['tischlerei', [{ start: '07:00', end: '19:00' }], []],
    ]);
    expect(
      store.sync
        .pendingChanges(10)
        .map((p) => [p.change.tenant, p.change.field, p.change.id])
        .sort(),
    ).toEqual([
      ['glaserei', 'office_hours', firmScheduleRecordId('glaserei')],
      ['tischlerei', 'office_hours', firmScheduleRecordId('tischlerei')],
    ]);
    // A week that is none is refused before anything is written.
    expect(() => store.write(() => lead.setOfficeHours({ ...week, mon: [{ start: '19:00', end: '07:00' }] }))).toThrow(
      /start must be before end/,
    );
    expect(store.sync.pendingCount()).toBe(2);
  });
});
