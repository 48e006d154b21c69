// HTTP dates (RFC 9110 §5.6.7): the IMF-fixdate Poor writes, and the three forms it reads.

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Formats a date (Date or epoch milliseconds; default now) as an HTTP IMF-fixdate. */
export function httpDate(date: Date | number = Date.now()): string {
  return (typeof date === 'number' ? new Date(date) : date).toUTCString();
}

const IMF_FIXDATE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const RFC_850 =
  /^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\d{2})-(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const ASCTIME =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ( \d|\d{2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/;

function utc(
  year: number,
  month: string,
  day: number,
  hour: number,
  minute: number,
  second: number,
): number | undefined {
  const monthIndex = MONTHS.indexOf(month);
  if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  const time = Date.UTC(year, monthIndex, day, hour, minute, Math.min(second, 59));
  // Reject impossible dates such as 31 Feb, which Date.UTC would roll over.
  return new Date(time).getUTCDate() === day ? time : undefined;
}

/**
 * Parses an HTTP date in any of the three formats of RFC 9110 §5.6.7 (IMF-fixdate, RFC 850,
 * asctime) into epoch milliseconds; anything else gives `undefined` (never throws).
 */
export function parseHttpDate(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  let found = IMF_FIXDATE.exec(text);
  if (found)
    return utc(
      Number(found[3]),
      found[2] as string,
      Number(found[1]),
      Number(found[4]),
      Number(found[5]),
      Number(found[6]),
    );
  found = RFC_850.exec(text);
  if (found) {
    // Two-digit years: RFC 9110 says interpret as the most recent past year with those digits.
    const short = Number(found[3]);
    const now = new Date().getUTCFullYear();
    let year = Math.floor(now / 100) * 100 + short;
    if (year > now + 50) year -= 100;
    return utc(year, found[2] as string, Number(found[1]), Number(found[4]), Number(found[5]), Number(found[6]));
  }
  found = ASCTIME.exec(text);
  if (found)
    return utc(
      Number(found[6]),
      found[1] as string,
      Number((found[2] as string).trim()),
      Number(found[3]),
      Number(found[4]),
      Number(found[5]),
    );
  return undefined;
}
