//! Calendar dates as `yyyy-mm-dd` (RFC 5260 §4.2's "date" part), which sort
//! as text in date order: the out-of-office window's ends, and today.

use std::fmt;

use super::ScriptsError;

/// A valid Gregorian date, held as its `YYYY-MM-DD` text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SieveDate(String);

impl SieveDate {
    pub fn parse(text: &str) -> Result<Self, ScriptsError> {
        let invalid = || ScriptsError::InvalidDate(text.to_owned());
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes.get(4) != Some(&b'-') || bytes.get(7) != Some(&b'-') {
            return Err(invalid());
        }
        let number = |range: std::ops::Range<usize>| -> Result<u32, ScriptsError> {
            let part = text.get(range).ok_or_else(invalid)?;
            if !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid());
            }
            part.parse().map_err(|_| invalid())
        };
        let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return Err(invalid());
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The day `unix_seconds` falls on, in UTC.
    pub fn of_unix_time(unix_seconds: i64) -> Self {
        // Howard Hinnant's civil-from-days algorithm.
        let z = unix_seconds.div_euclid(86_400) + 719_468;
        let era = z.div_euclid(146_097);
        let day_of_era = z - era * 146_097;
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let mp = (5 * day_of_year + 2) / 153;
        let day = day_of_year - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        Self(format!("{year:04}-{month:02}-{day:02}"))
    }

    /// Today, in UTC.
    pub fn today() -> Self {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        Self::of_unix_time(now)
    }
}

impl fmt::Display for SieveDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_times_fall_on_their_utc_days() {
        assert_eq!(SieveDate::of_unix_time(0).as_str(), "1970-01-01");
        assert_eq!(SieveDate::of_unix_time(951_782_400).as_str(), "2000-02-29");
        assert_eq!(
            SieveDate::of_unix_time(1_795_478_399).as_str(),
            "2026-11-23"
        );
        assert_eq!(SieveDate::of_unix_time(-1).as_str(), "1969-12-31");
    }

    #[test]
    fn only_real_calendar_dates_parse() {
        assert!(SieveDate::parse("2024-02-29").is_ok());
        assert!(SieveDate::parse("2023-02-29").is_err());
        assert!(SieveDate::parse("2023-13-01").is_err());
        assert!(SieveDate::parse("2023-1-01").is_err());
        assert!(SieveDate::parse("+023-01-01").is_err());
        assert!(SieveDate::parse("2023-04-31").is_err());
    }
}
