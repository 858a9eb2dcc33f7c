//! Evaluating `date` and `currentdate` (RFC 5260 §4, §5): the date of
//! one header field (the first of its name, or the one `:index` selects)
//! or of the clock, shown in the zone asked for, as the date-part asked
//! for. A field whose date does not parse gives no value, so only
//! `:count` can match it (§4.1); a zone or date-part that a variable made
//! invalid makes the test false.

use super::super::dates::{DatePart, ZonedTime, parse_zone};
use super::super::script::{DateZone, FieldIndex, Matcher};
use super::Run;
use super::tests_eval::select;

impl Run<'_, '_> {
    pub(super) fn date(
        &mut self,
        matcher: &Matcher,
        zone: &DateZone,
        index: Option<FieldIndex>,
        name: &str,
        part: &str,
        keys: &[String],
    ) -> bool {
        let name = self.text(name);
        let index = index.unwrap_or(FieldIndex {
            position: 1,
            from_end: false,
        });
        let dates: Vec<ZonedTime> = select(Some(index), self.message.header_values(&name))
            .iter()
            .filter_map(|value| {
                // A date-time has no ";": in a Received field (RFC 5321
                // §4.4) the date follows the last one.
                let value = value
                    .rsplit_once(';')
                    .map_or(value.as_str(), |(_, date)| date);
                ZonedTime::from_header(value)
            })
            .collect();
        self.compare_dates(matcher, zone, &dates, part, keys)
    }

    pub(super) fn current_date(
        &mut self,
        matcher: &Matcher,
        zone: &DateZone,
        part: &str,
        keys: &[String],
    ) -> bool {
        let now = ZonedTime::from_clock(self.input.now);
        self.compare_dates(matcher, zone, &[now], part, keys)
    }

    fn compare_dates(
        &mut self,
        matcher: &Matcher,
        zone: &DateZone,
        dates: &[ZonedTime],
        part: &str,
        keys: &[String],
    ) -> bool {
        let offset = match zone {
            DateZone::Local => Some(0),
            DateZone::Original => None,
            DateZone::Given(zone) => match parse_zone(&self.text(zone)) {
                Some(offset) => Some(offset),
                None => return false,
            },
        };
        let Some(part) = DatePart::parse(&self.text(part)) else {
            return false;
        };
        let values: Vec<String> = dates
            .iter()
            .map(|date| match offset {
                Some(offset) => date.in_zone(offset),
                None => *date,
            })
            .map(|date| date.part(part))
            .collect();
        self.compare(matcher, &values, keys)
    }
}
