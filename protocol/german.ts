/**
 * German month names, January first, spelled out rather than taken from Intl: the app reads a date back
 * to a caller and the server writes the monthly report with the same words on every Node and Chromium build.
 */
export const GERMAN_MONTHS = [
  'Januar',
  'Februar',
  'März',
  'April',
  'Mai',
  'Juni',
  'Juli',
  'August',
  'September',
  'Oktober',
  'November',
  'Dezember',
] as const;
