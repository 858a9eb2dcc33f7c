//! The calendar day of a message's Date header in the header's own time
//! zone, as SENTBEFORE, SENTON and SENTSINCE compare it (RFC 9051 §6.4.4:
//! "disregarding time and timezone"). Must not judge anything else of the date.

use crate::imap::parser::Date;

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// Days since 1970-01-01 of the date as written in `raw` (RFC 5322 §3.3
/// date-time, obsolete two- and three-digit years included); failing that,
/// the UTC day of `parsed` (the Date header as Unix seconds).
pub fn sent_day(raw: Option<&str>, parsed: Option<i64>) -> Option<i64> {
    raw.and_then(written_day)
        .or_else(|| parsed.map(|secs| secs.div_euclid(86_400)))
}

fn written_day(raw: &str) -> Option<i64> {
    let mut tokens = raw
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
        .skip_while(|t| !t.starts_with(|c: char| c.is_ascii_digit()));
    let day: u8 = tokens.next()?.parse().ok()?;
    let month_name = tokens.next()?.to_ascii_lowercase();
    let month = MONTHS.iter().position(|m| month_name.starts_with(m))?;
    let year_text = tokens.next()?;
    let year: u16 = year_text.parse().ok()?;
    let year = match year_text.len() {
        2 if year < 50 => year + 2000,
        2 | 3 => year + 1900,
        _ => year,
    };
    let month = u8::try_from(month + 1).ok()?;
    if day == 0 || day > days_in_month(year, month) {
        return None;
    }
    Some(Date { year, month, day }.days_since_epoch())
}

fn days_in_month(year: u16, month: u8) -> u8 {
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(year: u16, month: u8, day: u8) -> i64 {
        Date { year, month, day }.days_since_epoch()
    }

    #[test]
    fn the_day_is_the_one_written_whatever_the_zone() {
        let late = Some("Mon, 1 Jan 2024 23:30:00 -0800");
        // 07:30 UTC on 2 January, yet the sender's day is 1 January.
        assert_eq!(sent_day(late, Some(1_704_180_600)), Some(day(2024, 1, 1)));
    }

    #[test]
    fn obsolete_years_and_missing_weekday_are_read() {
        assert_eq!(
            sent_day(Some("5 Mar 99 10:00 GMT"), None),
            Some(day(1999, 3, 5))
        );
        assert_eq!(sent_day(Some("5 March 2007"), None), Some(day(2007, 3, 5)));
    }

    #[test]
    fn unreadable_text_falls_back_to_the_parsed_instant() {
        assert_eq!(sent_day(Some("garbage"), Some(86_400 * 3 + 5)), Some(3));
        assert_eq!(sent_day(Some("31 Feb 2024"), None), None);
        assert_eq!(sent_day(None, None), None);
    }
}
