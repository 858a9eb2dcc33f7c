//! Dates in commands: `date` for SEARCH (RFC 9051 §9: `d-Mon-yyyy`, quoted or
//! not) and `date-time` for APPEND (`"dd-Mon-yyyy hh:mm:ss +zzzz"`), read into
//! checked values. Month names are case-insensitive like all ABNF strings.

use super::error::{PResult, fail, miss};
use super::primitives::byte;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A calendar date (RFC 9051 §9 date-text); always a real day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

/// An APPEND date-time (RFC 9051 §9 date-time) with its zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateTime {
    pub date: Date,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
    /// Offset from UTC in minutes (`+0200` is 120).
    pub zone_minutes: i16,
}

impl Date {
    /// Days since 1970-01-01 (proleptic Gregorian calendar).
    pub fn days_since_epoch(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let (m, d) = (i64::from(self.month), i64::from(self.day));
        let y = i64::from(self.year) - i64::from(m <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }
}

impl DateTime {
    /// Seconds since the Unix epoch, in UTC (the INTERNALDATE to store).
    pub fn unix_seconds(self) -> i64 {
        self.date.days_since_epoch() * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
            - i64::from(self.zone_minutes) * 60
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Exactly `n` digits as a number.
fn digits(i: &[u8], n: usize) -> PResult<'_, u16> {
    match i.get(..n) {
        Some(d) if d.iter().all(u8::is_ascii_digit) => {
            let v = d.iter().fold(0u16, |v, &b| v * 10 + u16::from(b - b'0'));
            Ok((&i[n..], v))
        }
        _ => miss(i, "digits"),
    }
}

/// `date-text`: date-day "-" date-month "-" date-year; `day` is 1 or 2
/// digits, or in a date-time (date-day-fixed) also a space and one digit.
fn date_text(i: &[u8], fixed: bool) -> PResult<'_, Date> {
    let start = match i.strip_prefix(b" ") {
        Some(s) if fixed => s,
        _ => i,
    };
    let (rest, day) = digits(start, 2)
        .or_else(|_| digits(start, 1))
        .or_else(|_| miss(i, "date"))?;
    let (rest, ()) = byte(b'-', "-")(rest)?;
    let Some(month) = rest.get(..3).and_then(|m| {
        MONTHS
            .iter()
            .position(|name| name.as_bytes().eq_ignore_ascii_case(m))
    }) else {
        return fail(rest, "month name");
    };
    let (rest, ()) = byte(b'-', "-")(&rest[3..])?;
    let (rest, year) = digits(rest, 4).or_else(|_| fail(rest, "four-digit year"))?;
    let month = month as u8 + 1;
    let Ok(day) = u8::try_from(day) else {
        return fail(i, "day of month");
    };
    if day == 0 || day > days_in_month(year, month) {
        return fail(i, "day of month");
    }
    Ok((rest, Date { year, month, day }))
}

/// `date`: date-text, bare or in double quotes (SEARCH keys).
pub(super) fn date(i: &[u8]) -> PResult<'_, Date> {
    match i.strip_prefix(b"\"") {
        Some(inner) => {
            let (rest, d) = date_text(inner, false)?;
            let (rest, ()) = byte(b'"', "closing DQUOTE")(rest)?;
            Ok((rest, d))
        }
        None => date_text(i, false),
    }
}

fn clock_part(i: &[u8], max: u16) -> PResult<'_, u8> {
    let (rest, v) = digits(i, 2).or_else(|_| fail(i, "two-digit time"))?;
    if v > max {
        return fail(i, "valid time");
    }
    Ok((rest, v as u8))
}

/// `date-time`: DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP
/// zone DQUOTE (RFC 9051 §9).
pub(super) fn date_time(i: &[u8]) -> PResult<'_, DateTime> {
    let (rest, ()) = byte(b'"', "date-time")(i)?;
    let (rest, date) = date_text(rest, true)?;
    let (rest, ()) = byte(b' ', "SP")(rest)?;
    let (rest, hour) = clock_part(rest, 23)?;
    let (rest, ()) = byte(b':', ":")(rest)?;
    let (rest, minute) = clock_part(rest, 59)?;
    let (rest, ()) = byte(b':', ":")(rest)?;
    // 60 admits a leap second.
    let (rest, second) = clock_part(rest, 60)?;
    let (rest, ()) = byte(b' ', "SP")(rest)?;
    let (sign, rest) = match rest.split_first() {
        Some((b'+', r)) => (1, r),
        Some((b'-', r)) => (-1, r),
        _ => return fail(rest, "zone"),
    };
    let (rest, hh) = digits(rest, 2).or_else(|_| fail(rest, "zone"))?;
    let (rest, mm) = digits(rest, 2).or_else(|_| fail(rest, "zone"))?;
    if mm > 59 {
        return fail(rest, "zone");
    }
    let (rest, ()) = byte(b'"', "closing DQUOTE")(rest)?;
    let zone_minutes = sign * (hh as i16 * 60 + mm as i16);
    let dt = DateTime {
        date,
        hour,
        minute,
        second,
        zone_minutes,
    };
    Ok((rest, dt))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_date_bare_or_quoted_one_or_two_digit_day() {
        let d = Date {
            year: 2024,
            month: 2,
            day: 1,
        };
        assert_eq!(date(b"1-Feb-2024").unwrap().1, d);
        assert_eq!(date(b"01-feb-2024").unwrap().1, d);
        assert_eq!(date(b"\"1-FEB-2024\"").unwrap().1, d);
    }

    #[test]
    fn impossible_days_and_bad_months_are_refused() {
        assert!(date(b"29-Feb-2023").is_err());
        assert!(date(b"29-Feb-2024").is_ok());
        assert!(date(b"31-Apr-2024").is_err());
        assert!(date(b"0-Jan-2024").is_err());
        assert!(date(b"1-Foo-2024").is_err());
        assert!(date(b"1-Jan-24").is_err());
        assert!(date(b" 1-Jan-2024").is_err());
    }

    #[test]
    fn date_time_with_space_padded_day_and_zone() {
        let (_, dt) = date_time(b"\" 7-Jul-2021 13:45:10 +0200\"").unwrap();
        assert_eq!(dt.date.day, 7);
        assert_eq!(dt.zone_minutes, 120);
        // 2021-07-07T11:45:10Z
        assert_eq!(dt.unix_seconds(), 1_625_658_310);
    }

    #[test]
    fn date_time_negative_zone_and_epoch() {
        let (_, dt) = date_time(b"\"31-Dec-1969 19:00:00 -0500\"").unwrap();
        assert_eq!(dt.unix_seconds(), 0);
    }

    #[test]
    fn date_time_refuses_bad_clock_and_zone() {
        assert!(date_time(b"\"01-Jan-2024 24:00:00 +0000\"").is_err());
        assert!(date_time(b"\"01-Jan-2024 12:00:00 0000\"").is_err());
        assert!(date_time(b"\"01-Jan-2024 12:00 +0000\"").is_err());
        assert!(date_time(b"01-Jan-2024 12:00:00 +0000").is_err());
    }
}
