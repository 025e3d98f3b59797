import { parseArgs } from 'node:util';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { describeGreetingProblem, greetingProblems } from '../../protocol/greeting.js';
import { TenantId } from '../../protocol/sync.js';
import { DirectoryTenantEntry, type Directory } from '../home/directory.js';
import { AdminFailure, type OfficeCa } from '../pki/office-ca.js';
import { DATABASE_OPTION, checkDatabaseUrl, withOfficeCa } from './admin-directory.js';

/**
 * `tenant add` and `tenant set`: a firm's directory entry (name, numbers, mobile, greeting, free-text
 * hours). The server publishes the directory to the firm's desks by itself. A greeting is a template
 * (protocol/greeting.ts) and is checked here with the rules the desks render it by, so a typo such as
 * `{firmenname}` is refused at the command line instead of being read out to a customer.
 */

type UsageErrorFactory = (message: string) => Error;

/** German numbers may be written nationally (0221 …); everything is stored as E.164. */
export function e164(input: string, option: string, usage: UsageErrorFactory): string {
  const parsed = parsePhoneNumberFromString(input, 'DE');
  if (!parsed || !parsed.isValid()) throw usage(`${option}: "${input}" is not a valid phone number`);
  return parsed.number;
}

/** The template as given, or a usage error naming every problem and the allowed placeholders. */
export function greetingOption(value: string, usage: UsageErrorFactory): string {
  const problems = greetingProblems(value);
  if (problems.length > 0) throw usage(`--greeting: ${problems.map(describeGreetingProblem).join('; ')}`);
  return value;
}

const spec = {
  home: { type: 'string' },
  name: { type: 'string' },
  number: { type: 'string', multiple: true },
  mobile: { type: 'string' },
  'no-mobile': { type: 'boolean' },
  greeting: { type: 'string' },
  'no-greeting': { type: 'boolean' },
  hours: { type: 'string' },
  'ring-seconds': { type: 'string' },
  'craftsman-fallback': { type: 'string' },
  ...DATABASE_OPTION,
  'mail-to': { type: 'string' },
  'no-mail-to': { type: 'boolean' },
} as const;

/** An e-mail address as the directory schema takes it. */
function mailToOption(value: string, usage: UsageErrorFactory): string {
  if (!DirectoryTenantEntry.shape.mailTo.safeParse(value).success) throw usage(`--mail-to: "${value}" is not an e-mail address`);
  return value;
}

/** How long a firm's first group rings before the fallback group (the PBX's routing, docs/firm-day.md). */
function ringSecondsOption(value: string, usage: UsageErrorFactory): number {
  const n = Number(value);
  if (!/^\d{1,3}$/.test(value) || n < 1 || n > 300)
    throw usage(`--ring-seconds: "${value}" is not a whole number of seconds from 1 to 300`);
  return n;
}

function yesNoOption(value: string, option: string, usage: UsageErrorFactory): boolean {
  if (value === 'yes') return true;
  if (value === 'no') return false;
  throw usage(`${option}: "${value}" must be yes or no`);
}

function parse(argv: string[], usage: UsageErrorFactory) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: spec, allowPositionals: true, strict: true });
  } catch (error) {
    throw usage((error as Error).message);
  }
  if (parsed.positionals.length !== 1) throw usage('expected exactly one ID');
  const id = TenantId.safeParse(parsed.positionals[0]);
  if (!id.success) throw usage(`tenant ID "${parsed.positionals[0]}" is not valid: ${id.error.issues[0]?.message ?? ''}`);
  const { values } = parsed;
  if (!values.home?.trim()) throw usage('--home is required');
  if (values.name !== undefined && values.name.trim() === '') throw usage('--name must not be empty');
  if (values.mobile !== undefined && values['no-mobile']) throw usage('--mobile and --no-mobile exclude each other');
  if (values.greeting !== undefined && values['no-greeting']) throw usage('--greeting and --no-greeting exclude each other');
  if (values['mail-to'] !== undefined && values['no-mail-to']) throw usage('--mail-to and --no-mail-to exclude each other');
  return {
    mailTo: values['mail-to'] === undefined ? undefined : mailToOption(values['mail-to'], usage),
    id: id.data,
    values,
    withCa: <T>(run: (ca: OfficeCa) => Promise<T>) => withOfficeCa(values.home!, checkDatabaseUrl(values.database, usage), run),
    numbers: (values.number ?? []).map((n) => e164(n, '--number', usage)),
    mobile: values.mobile === undefined ? undefined : e164(values.mobile, '--mobile', usage),
    greeting: values.greeting === undefined ? undefined : greetingOption(values.greeting, usage),
    ringSeconds: values['ring-seconds'] === undefined ? undefined : ringSecondsOption(values['ring-seconds'], usage),
    craftsmanFallback:
      values['craftsman-fallback'] === undefined
        ? undefined
        : yesNoOption(values['craftsman-fallback'], '--craftsman-fallback', usage),
  };
}

async function directoryOf(ca: OfficeCa) {
  if (!ca.exists()) throw new AdminFailure(`no CA in ${ca.layout.home}: run \`ca init --home ${ca.layout.home}\` first`);
  return ca.directory();
}

/** A dialled number must name exactly one tenant, or incoming calls could not be matched. */
function checkNumbersFree(tenants: DirectoryTenantEntry[], id: string, numbers: string[]): void {
  for (const number of numbers) {
    const owner = tenants.find((t) => t.id !== id && t.numbers.includes(number));
    if (owner) throw new AdminFailure(`number ${number} already belongs to tenant "${owner.id}"`);
  }
}

export function runTenantAdd(argv: string[], usage: UsageErrorFactory): Promise<string> {
  const { id, values, withCa, numbers, mobile, greeting, ringSeconds, craftsmanFallback, mailTo } = parse(argv, usage);
  if (!values.name) throw usage('--name is required');
  if (numbers.length === 0) throw usage('at least one --number is required');
  if (values['no-mobile'] || values['no-greeting'] || values['no-mail-to'])
    throw usage('--no-mobile, --no-greeting and --no-mail-to are for `tenant set`');
  const entry: DirectoryTenantEntry = { id, name: values.name, numbers: [...new Set(numbers)] };
  if (mobile) entry.mobile = mobile;
  if (greeting) entry.greeting = greeting;
  if (values.hours) entry.hours = values.hours;
  if (ringSeconds !== undefined) entry.ringSeconds = ringSeconds;
  if (craftsmanFallback !== undefined) entry.craftsmanFallback = craftsmanFallback;
  if (mailTo) entry.mailTo = mailTo;
  return withCa(async (ca) => {
    const directory = await directoryOf(ca);
    if (directory.tenants.some((t) => t.id === id)) throw new AdminFailure(`tenant "${id}" already exists`);
    checkNumbersFree(directory.tenants, id, numbers);
    await ca.saveDirectory({ ...directory, tenants: [...directory.tenants, entry] });
    return addedText(id, entry.name, numbers, greeting);
  });
}

function addedText(id: string, name: string, numbers: string[], greeting: string | undefined): string {
  return `tenant ${id} added (${name}; ${numbers.join(', ')})${greeting ? '' : '; greeting: the default'}`;
}

/** Changes only the options given; the server passes the change to the firm's desks by itself. */
export function runTenantSet(argv: string[], usage: UsageErrorFactory): Promise<string> {
  const { id, values, withCa, numbers, mobile, greeting, ringSeconds, craftsmanFallback, mailTo } = parse(argv, usage);
  return withCa(async (ca) => {
    const directory = await directoryOf(ca);
    const next = changedEntry(
      directory,
      id,
      values,
      { numbers, mobile, greeting, ringSeconds, craftsmanFallback, mailTo },
      usage,
    );
    await ca.saveDirectory({ ...directory, tenants: directory.tenants.map((t) => (t.id === id ? next.entry : t)) });
    return `tenant ${id} updated: ${next.changed.join(', ')}`;
  });
}

function changedEntry(
  directory: Directory,
  id: string,
  values: ReturnType<typeof parse>['values'],
  {
    numbers,
    mobile,
    greeting,
    ringSeconds,
    craftsmanFallback,
    mailTo,
  }: Pick<ReturnType<typeof parse>, 'numbers' | 'mobile' | 'greeting' | 'ringSeconds' | 'craftsmanFallback' | 'mailTo'>,
  usage: UsageErrorFactory,
): { entry: DirectoryTenantEntry; changed: string[] } {
  const current = directory.tenants.find((t) => t.id === id);
  if (!current) throw new AdminFailure(`unknown tenant "${id}" (add it with \`tenant add\`)`);
  const next: DirectoryTenantEntry = { ...current };
  const changed: string[] = [];
  if (values.name !== undefined) {
    next.name = values.name;
    changed.push('name');
  }
  if (numbers.length > 0) {
    checkNumbersFree(directory.tenants, id, numbers);
    next.numbers = [...new Set(numbers)];
    changed.push('numbers');
  }
  if (mobile !== undefined || values['no-mobile']) {
    if (mobile === undefined) delete next.mobile;
    else next.mobile = mobile;
    changed.push('mobile');
  }
  if (greeting !== undefined || values['no-greeting']) {
    if (greeting === undefined) delete next.greeting;
    else next.greeting = greeting;
    changed.push(greeting === undefined ? 'greeting (now the default)' : 'greeting');
  }
  if (values.hours !== undefined) {
    next.hours = values.hours;
    changed.push('hours');
  }
  if (ringSeconds !== undefined) {
    next.ringSeconds = ringSeconds;
    changed.push(`ring time ${ringSeconds} s`);
  }
  if (craftsmanFallback !== undefined) {
    next.craftsmanFallback = craftsmanFallback;
    changed.push(`craftsman fallback in service time ${craftsmanFallback ? 'on' : 'off'}`);
  }
  if (mailTo !== undefined || values['no-mail-to']) {
    if (mailTo === undefined) delete next.mailTo;
    else next.mailTo = mailTo;
    changed.push(mailTo === undefined ? 'no e-mail of forwarded mail' : `forwarded mail e-mailed to ${mailTo}`);
  }
  if (changed.length === 0)
    throw usage(
      'nothing to change: give at least one of --name, --number, --mobile, --greeting, --hours, --ring-seconds, --craftsman-fallback, --mail-to',
    );
  return { entry: next, changed };
}
