//! Calendar dates as Sieve's `currentdate :value ... "date"` compares them
//! (RFC 5260 §4.2: `yyyy-mm-dd`, which sorts as text in date order).

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
    fn only_real_calendar_dates_parse() {
        assert!(SieveDate::parse("2024-02-29").is_ok());
        assert!(SieveDate::parse("2023-02-29").is_err());
        assert!(SieveDate::parse("2023-13-01").is_err());
        assert!(SieveDate::parse("2023-1-01").is_err());
        assert!(SieveDate::parse("+023-01-01").is_err());
        assert!(SieveDate::parse("2023-04-31").is_err());
    }
}
