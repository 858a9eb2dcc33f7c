//! Dates as the `date` and `currentdate` tests see them (RFC 5260 §4, §5):
//! an instant with the zone it is shown in, read from a header field value
//! (RFC 5322 §3.3, through mail-parser) or from the clock, and written as
//! one of the date-parts of RFC 5260 §4.2. Pure arithmetic, no I/O.
//!
//! The server's local zone is UTC: there is no time zone database, so
//! "local" (no `:zone`, RFC 5260 §4.1) always means +0000.

use std::time::{SystemTime, UNIX_EPOCH};

use mail_parser::DateTime;

/// Days from 1858-11-17 (the Modified Julian Day epoch) to 1970-01-01.
const MJD_AT_UNIX_EPOCH: i64 = 40_587;
/// A zone offset's bound: RFC 5322 writes it as hhmm, so under 100 hours.
const MAX_OFFSET_SECONDS: i32 = 99 * 3600 + 59 * 60;

/// An instant and the zone offset (seconds east of UTC) it is shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZonedTime {
    unix: i64,
    offset: i32,
}

/// The date-parts of RFC 5260 §4.2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DatePart {
    Year,
    Month,
    Day,
    Date,
    Julian,
    Hour,
    Minute,
    Second,
    Time,
    Iso8601,
    Std11,
    Zone,
    Weekday,
}

impl DatePart {
    /// The part a script names, case-insensitively.
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name.to_ascii_lowercase().as_str() {
            "year" => Self::Year,
            "month" => Self::Month,
            "day" => Self::Day,
            "date" => Self::Date,
            "julian" => Self::Julian,
            "hour" => Self::Hour,
            "minute" => Self::Minute,
            "second" => Self::Second,
            "time" => Self::Time,
            "iso8601" => Self::Iso8601,
            "std11" => Self::Std11,
            "zone" => Self::Zone,
            "weekday" => Self::Weekday,
            _ => return None,
        })
    }
}

impl ZonedTime {
    /// `now` in UTC; a clock before 1970 counts as 1970.
    pub fn from_clock(now: SystemTime) -> Self {
        let unix = now
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2));
        Self { unix, offset: 0 }
    }

    /// A header field's date (RFC 5322 §3.3) in the zone it was written
    /// in; `None` when it does not parse or names an impossible date
    /// (RFC 5260 §4.1: such a field is skipped).
    pub fn from_header(value: &str) -> Option<Self> {
        let parsed = DateTime::parse_rfc822(value.trim())?;
        if !parsed.is_valid() || !day_exists(parsed.year, parsed.month, parsed.day) {
            return None;
        }
        let magnitude = i32::from(parsed.tz_hour) * 3600 + i32::from(parsed.tz_minute) * 60;
        let offset = if parsed.tz_before_gmt {
            -magnitude
        } else {
            magnitude
        };
        Some(Self {
            unix: parsed.to_timestamp(),
            offset,
        })
    }

    /// The same instant shown in the zone `offset`.
    pub fn in_zone(self, offset: i32) -> Self {
        Self { offset, ..self }
    }

    /// The date-part as RFC 5260 §4.2 writes it.
    pub fn part(self, part: DatePart) -> String {
        let local = self.unix.saturating_add(i64::from(self.offset));
        let civil = DateTime::from_timestamp(local);
        let (year, month, day) = (civil.year, civil.month, civil.day);
        let (hour, minute, second) = (civil.hour, civil.minute, civil.second);
        match part {
            DatePart::Year => format!("{year:04}"),
            DatePart::Month => format!("{month:02}"),
            DatePart::Day => format!("{day:02}"),
            DatePart::Date => format!("{year:04}-{month:02}-{day:02}"),
            DatePart::Julian => (local.div_euclid(86_400) + MJD_AT_UNIX_EPOCH).to_string(),
            DatePart::Hour => format!("{hour:02}"),
            DatePart::Minute => format!("{minute:02}"),
            DatePart::Second => format!("{second:02}"),
            DatePart::Time => format!("{hour:02}:{minute:02}:{second:02}"),
            DatePart::Iso8601 => {
                let date_time =
                    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}");
                // RFC 5260 §4.2: RFC 3339's date-time, a zero offset as "Z".
                if self.offset == 0 {
                    format!("{date_time}Z")
                } else {
                    let (sign, hours, minutes) = self.offset_parts();
                    format!("{date_time}{sign}{hours:02}:{minutes:02}")
                }
            }
            DatePart::Std11 => format!(
                "{}, {day:02} {} {year:04} {hour:02}:{minute:02}:{second:02} {}",
                WEEKDAYS[weekday(local)],
                MONTHS[usize::from(month.clamp(1, 12)) - 1],
                self.zone()
            ),
            DatePart::Zone => self.zone(),
            DatePart::Weekday => weekday(local).to_string(),
        }
    }

    /// `+hhmm` or `-hhmm`.
    fn zone(self) -> String {
        let (sign, hours, minutes) = self.offset_parts();
        format!("{sign}{hours:02}{minutes:02}")
    }

    fn offset_parts(self) -> (char, u32, u32) {
        let sign = if self.offset < 0 { '-' } else { '+' };
        let magnitude = self.offset.unsigned_abs();
        (sign, magnitude / 3600, magnitude % 3600 / 60)
    }
}

const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// 0 for Sunday to 6 for Saturday (RFC 5260 §4.2 "weekday").
fn weekday(local_unix: i64) -> usize {
    // 1970-01-01 was a Thursday.
    usize::try_from((local_unix.div_euclid(86_400) + 4).rem_euclid(7)).unwrap_or(0)
}

fn day_exists(year: u16, month: u8, day: u8) -> bool {
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    (1..=days).contains(&day)
}

/// A `:zone` argument (RFC 5260 §4.1: `+hhmm` or `-hhmm`, minutes under
/// 60) as seconds east of UTC.
pub fn parse_zone(text: &str) -> Option<i32> {
    let bytes = text.as_bytes();
    let [sign, digits @ ..] = bytes else {
        return None;
    };
    if digits.len() != 4 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let number = |at: usize| -> i32 {
        digits[at..at + 2]
            .iter()
            .fold(0, |n, d| n * 10 + i32::from(d - b'0'))
    };
    let (hours, minutes) = (number(0), number(2));
    if minutes >= 60 {
        return None;
    }
    let magnitude = (hours * 3600 + minutes * 60).min(MAX_OFFSET_SECONDS);
    match sign {
        b'+' => Some(magnitude),
        b'-' => Some(-magnitude),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(value: &str) -> ZonedTime {
        ZonedTime::from_header(value).unwrap()
    }

    #[test]
    fn every_part_of_a_header_date_in_its_own_zone() {
        let date = header("Tue, 05 Apr 2005 08:32:57 -0700");
        let part = |p: &str| date.part(DatePart::parse(p).unwrap());
        assert_eq!(part("year"), "2005");
        assert_eq!(part("month"), "04");
        assert_eq!(part("day"), "05");
        assert_eq!(part("date"), "2005-04-05");
        assert_eq!(part("julian"), "53465");
        assert_eq!(part("hour"), "08");
        assert_eq!(part("minute"), "32");
        assert_eq!(part("second"), "57");
        assert_eq!(part("time"), "08:32:57");
        assert_eq!(part("iso8601"), "2005-04-05T08:32:57-07:00");
        assert_eq!(part("std11"), "Tue, 05 Apr 2005 08:32:57 -0700");
        assert_eq!(part("zone"), "-0700");
        assert_eq!(part("weekday"), "2");
    }

    #[test]
    fn shown_in_another_zone_the_day_can_change() {
        let date = header("Tue, 05 Apr 2005 20:00:00 -0700").in_zone(parse_zone("+0100").unwrap());
        assert_eq!(date.part(DatePart::Iso8601), "2005-04-06T04:00:00+01:00");
        assert_eq!(date.part(DatePart::Weekday), "3");
    }

    #[test]
    fn iso8601_writes_a_zero_offset_as_z() {
        let date = header("Tue, 05 Apr 2005 08:32:57 +0000");
        assert_eq!(date.part(DatePart::Iso8601), "2005-04-05T08:32:57Z");
    }

    #[test]
    fn a_date_that_does_not_parse_is_none() {
        assert_eq!(ZonedTime::from_header("next Tuesday"), None);
        assert_eq!(ZonedTime::from_header(""), None);
        assert_eq!(ZonedTime::from_header("31 Feb 2005 10:00:00 +0000"), None);
    }

    #[test]
    fn zones_are_sign_and_four_digits() {
        assert_eq!(parse_zone("+0130"), Some(5400));
        assert_eq!(parse_zone("-0000"), Some(0));
        assert_eq!(parse_zone("0100"), None);
        assert_eq!(parse_zone("+0160"), None);
        assert_eq!(parse_zone("+01:00"), None);
        assert_eq!(parse_zone("+éé"), None);
    }

    #[test]
    fn the_clock_is_shown_in_utc() {
        let now = UNIX_EPOCH + std::time::Duration::from_secs(86_400 * 365);
        assert_eq!(
            ZonedTime::from_clock(now).part(DatePart::Std11),
            "Fri, 01 Jan 1971 00:00:00 +0000"
        );
    }
}
