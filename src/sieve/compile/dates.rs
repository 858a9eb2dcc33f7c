//! Checking the `date` and `currentdate` tests (RFC 5260 §4, §5): their
//! zone, date-part and header name. A constant date-part or zone that
//! cannot be right is a compile error; one built from variables is checked
//! when the script runs.

use super::super::ast;
use super::super::dates::{DatePart, parse_zone};
use super::super::error::CompileError;
use super::super::script::{DateZone, Test};
use super::args::{Arguments, Context, Follows, INDEX_TAGS, MATCH_TAGS, string};

const ZONE_TAGS: &[(&str, Follows)] = &[
    ("zone", Follows::String),
    ("originalzone", Follows::Nothing),
];

pub(super) fn test(test: &ast::Test, context: &Context) -> Result<Test, CompileError> {
    let current = test.name == "currentdate";
    context.need("date", test.pos)?;
    if let Some(inner) = test.tests.first() {
        return Err(CompileError::at(
            inner.pos,
            format!("{} takes no nested test", test.name),
        ));
    }
    let tags: [&[(&str, Follows)]; 3] = if current {
        [MATCH_TAGS, &ZONE_TAGS[..1], &[]]
    } else {
        [MATCH_TAGS, ZONE_TAGS, INDEX_TAGS]
    };
    let arguments = Arguments::split(&test.name, test.pos, &test.arguments, &tags)?;
    let positional = if current { 2 } else { 3 };
    arguments.expect_positional(positional, positional)?;
    let zone = match (arguments.tag("zone"), arguments.flag("originalzone")) {
        (Some(_), Some(pos)) => {
            return Err(CompileError::at(
                pos,
                ":zone and :originalzone exclude each other",
            ));
        }
        (Some(tag), None) => {
            let value = tag
                .value
                .as_ref()
                .map_or(Ok(String::new()), |v| string(v, context, ":zone"))?;
            if !value.contains("${") && parse_zone(&value).is_none() {
                return Err(CompileError::at(
                    tag.pos,
                    format!("invalid zone \"{value}\", expected +hhmm or -hhmm"),
                ));
            }
            DateZone::Given(value)
        }
        (None, Some(_)) => DateZone::Original,
        (None, None) => DateZone::Local,
    };
    let at = positional - 2;
    let part_argument = &arguments.positional[at];
    let part = string(part_argument, context, "the date-part")?;
    if !part.contains("${") && DatePart::parse(&part).is_none() {
        return Err(CompileError::at(
            part_argument.pos,
            format!("unknown date-part \"{part}\""),
        ));
    }
    let matcher = arguments.matcher(context)?;
    let keys = arguments.keys(at + 1, context)?;
    if current {
        return Ok(Test::CurrentDate {
            matcher,
            zone,
            part,
            keys,
        });
    }
    Ok(Test::Date {
        matcher,
        zone,
        index: arguments.index(context)?,
        name: string(&arguments.positional[0], context, "the header name")?,
        part,
        keys,
    })
}
