// Times as people read them: in the organisation's (or their own) IANA time zone, never UTC unless
// that is the zone, e.g. "Fri 3 Apr, 12:00". Every card and digest shows times through here.

// Building an Intl.DateTimeFormat costs about a millisecond; every vote confirmation shows a deadline.
const formats = new Map<string, Intl.DateTimeFormat>();

export function formatFor(key: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let format = formats.get(key);
  if (!format) {
    format = make();
    formats.set(key, format);
  }
  return format;
}

/** "Fri 3 Apr, 12:00" in the given IANA time zone. */
export function localTime(at: Date, timeZone: string): string {
  const parts = formatFor(`short:${timeZone}`, () =>
    new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hour12: false }),
  ).formatToParts(at);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('weekday')} ${get('day')} ${get('month')}, ${get('hour')}:${get('minute')}`;
}

