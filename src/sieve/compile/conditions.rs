//! Checking tests (RFC 5228 §5 and the extensions' tests) and the
//! editheader commands (RFC 5293), whose arguments look like a test's.

use super::super::ast::{self, Argument};
use super::super::error::CompileError;
use super::super::script::{BodyTransform, Command, DuplicateId, MatchKind, Test};
use super::args::{
    ADDRESS_PART_TAGS, Arguments, Context, Follows, INDEX_TAGS, MATCH_TAGS, number, string,
    string_list,
};

pub(super) fn test(test: &ast::Test, context: &Context) -> Result<Test, CompileError> {
    let name = test.name.as_str();
    let split =
        |allowed: &[&[(&str, Follows)]]| Arguments::split(name, test.pos, &test.arguments, allowed);
    let no_tests = || match test.tests.first() {
        Some(inner) => Err(CompileError::at(
            inner.pos,
            format!("{name} takes no nested test"),
        )),
        None => Ok(()),
    };
    let keys = |arguments: &Arguments, at: usize| arguments.keys(at, context);
    match name {
        "true" | "false" => {
            no_tests()?;
            split(&[])?.expect_positional(0, 0)?;
            Ok(if name == "true" {
                Test::True
            } else {
                Test::False
            })
        }
        "not" => {
            split(&[])?.expect_positional(0, 0)?;
            match test.tests.as_slice() {
                [inner] => Ok(Test::Not(Box::new(self::test(inner, context)?))),
                _ => Err(CompileError::at(test.pos, "not needs exactly one test")),
            }
        }
        "allof" | "anyof" => {
            split(&[])?.expect_positional(0, 0)?;
            if test.tests.is_empty() {
                return Err(CompileError::at(
                    test.pos,
                    format!("{name} needs a test list"),
                ));
            }
            let inner = test
                .tests
                .iter()
                .map(|t| self::test(t, context))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(if name == "allof" {
                Test::AllOf(inner)
            } else {
                Test::AnyOf(inner)
            })
        }
        "exists" => {
            no_tests()?;
            let arguments = split(&[])?;
            arguments.expect_positional(1, 1)?;
            Ok(Test::Exists(string_list(
                &arguments.positional[0],
                context,
                "the header names",
            )?))
        }
        "size" => {
            no_tests()?;
            let arguments = split(&[&[("over", Follows::Nothing), ("under", Follows::Nothing)]])?;
            arguments.expect_positional(1, 1)?;
            let over = match (arguments.flag("over"), arguments.flag("under")) {
                (Some(_), None) => true,
                (None, Some(_)) => false,
                _ => {
                    return Err(CompileError::at(
                        test.pos,
                        "size needs exactly one of :over and :under",
                    ));
                }
            };
            Ok(Test::Size {
                over,
                limit: number(&arguments.positional[0], "the size")?,
            })
        }
        "header" => {
            no_tests()?;
            let arguments = split(&[MATCH_TAGS, INDEX_TAGS])?;
            arguments.expect_positional(2, 2)?;
            Ok(Test::Header {
                matcher: arguments.matcher(context)?,
                index: arguments.index(context)?,
                names: string_list(&arguments.positional[0], context, "the header names")?,
                keys: keys(&arguments, 1)?,
            })
        }
        "address" | "envelope" => {
            no_tests()?;
            if name == "envelope" {
                context.need("envelope", test.pos)?;
            }
            let index_tags: &[(&str, Follows)] = if name == "address" { INDEX_TAGS } else { &[] };
            let arguments = split(&[MATCH_TAGS, ADDRESS_PART_TAGS, index_tags])?;
            arguments.expect_positional(2, 2)?;
            let matcher = arguments.matcher(context)?;
            let part = arguments.address_part(context)?;
            let names = string_list(&arguments.positional[0], context, "the header names")?;
            let keys = keys(&arguments, 1)?;
            if name == "envelope" {
                for part in &names {
                    if !part.eq_ignore_ascii_case("from") && !part.eq_ignore_ascii_case("to") {
                        return Err(CompileError::at(
                            arguments.positional[0].pos,
                            format!("unknown envelope part \"{part}\""),
                        ));
                    }
                }
                Ok(Test::Envelope {
                    matcher,
                    part,
                    names,
                    keys,
                })
            } else {
                Ok(Test::Address {
                    matcher,
                    part,
                    index: arguments.index(context)?,
                    names,
                    keys,
                })
            }
        }
        "string" => {
            no_tests()?;
            context.need("variables", test.pos)?;
            let arguments = split(&[MATCH_TAGS])?;
            arguments.expect_positional(2, 2)?;
            Ok(Test::String {
                matcher: arguments.matcher(context)?,
                sources: string_list(&arguments.positional[0], context, "the source list")?,
                keys: keys(&arguments, 1)?,
            })
        }
        "hasflag" => {
            no_tests()?;
            context.need("imap4flags", test.pos)?;
            let arguments = split(&[MATCH_TAGS])?;
            arguments.expect_positional(1, 2)?;
            let variables = match arguments.positional.as_slice() {
                [variables, _] => {
                    context.need("variables", variables.pos)?;
                    Some(string_list(variables, context, "the variable list")?)
                }
                _ => None,
            };
            let at = arguments.positional.len() - 1;
            Ok(Test::HasFlag {
                matcher: arguments.matcher(context)?,
                variables,
                keys: keys(&arguments, at)?,
            })
        }
        "body" => {
            no_tests()?;
            context.need("body", test.pos)?;
            let transforms: &[(&str, Follows)] = &[
                ("raw", Follows::Nothing),
                ("text", Follows::Nothing),
                ("content", Follows::StringList),
            ];
            let arguments = split(&[MATCH_TAGS, transforms])?;
            arguments.expect_positional(1, 1)?;
            let mut transform = None;
            for tag in &arguments.tags {
                let this = match (tag.name.as_str(), &tag.value) {
                    ("raw", _) => BodyTransform::Raw,
                    ("text", _) => BodyTransform::Text,
                    ("content", Some(value)) => {
                        BodyTransform::Content(string_list(value, context, ":content")?)
                    }
                    _ => continue,
                };
                if transform.replace(this).is_some() {
                    return Err(CompileError::at(
                        tag.pos,
                        "only one body transform may be given",
                    ));
                }
            }
            let matcher = arguments.matcher(context)?;
            if matches!(matcher.kind, MatchKind::Count(_)) {
                return Err(CompileError::at(test.pos, "body does not allow :count"));
            }
            Ok(Test::Body {
                matcher,
                transform: transform.unwrap_or(BodyTransform::Text),
                keys: keys(&arguments, 0)?,
            })
        }
        "mailboxexists" => {
            no_tests()?;
            context.need("mailbox", test.pos)?;
            let arguments = split(&[])?;
            arguments.expect_positional(1, 1)?;
            Ok(Test::MailboxExists(string_list(
                &arguments.positional[0],
                context,
                "the mailbox names",
            )?))
        }
        "date" | "currentdate" => super::dates::test(test, context),
        "duplicate" => {
            no_tests()?;
            context.need("duplicate", test.pos)?;
            let arguments = split(&[&[
                ("handle", Follows::String),
                ("header", Follows::String),
                ("uniqueid", Follows::String),
                ("seconds", Follows::Number),
                ("last", Follows::Nothing),
            ]])?;
            arguments.expect_positional(0, 0)?;
            let text = |tag: &str| match arguments.tag(tag).and_then(|t| t.value.as_ref()) {
                Some(value) => string(value, context, tag).map(Some),
                None => Ok(None),
            };
            let id = match (text("header")?, text("uniqueid")?) {
                (Some(_), Some(_)) => {
                    return Err(CompileError::at(
                        test.pos,
                        ":header and :uniqueid exclude each other",
                    ));
                }
                (Some(name), None) => DuplicateId::Header(name),
                (None, Some(value)) => DuplicateId::UniqueId(value),
                (None, None) => DuplicateId::MessageId,
            };
            let seconds = match arguments.tag("seconds").and_then(|t| t.value.as_ref()) {
                Some(value) => Some(number(value, ":seconds")?),
                None => None,
            };
            Ok(Test::Duplicate {
                handle: text("handle")?,
                id,
                seconds,
                last: arguments.flag("last").is_some(),
            })
        }
        "environment" => {
            no_tests()?;
            context.need("environment", test.pos)?;
            let arguments = split(&[MATCH_TAGS])?;
            arguments.expect_positional(2, 2)?;
            Ok(Test::Environment {
                matcher: arguments.matcher(context)?,
                name: string(&arguments.positional[0], context, "the item name")?,
                keys: keys(&arguments, 1)?,
            })
        }
        "spamtest" => {
            no_tests()?;
            context.need("spamtest", test.pos)?;
            let arguments = split(&[MATCH_TAGS, &[("percent", Follows::Nothing)]])?;
            arguments.expect_positional(1, 1)?;
            if let Some(pos) = arguments.flag("percent") {
                context.need("spamtestplus", pos)?;
            }
            Ok(Test::Spam {
                matcher: arguments.matcher(context)?,
                percent: arguments.flag("percent").is_some(),
                value: string(&arguments.positional[0], context, "the value")?,
            })
        }
        _ => Err(CompileError::at(
            test.pos,
            format!("unknown test \"{name}\""),
        )),
    }
}

/// `addheader [:last] <field-name> <value>` and
/// `deleteheader [:index <n> [:last]] [COMPARATOR] [MATCH-TYPE] <field-name> [<value-patterns>]`
/// (RFC 5293 §4, §5).
pub(super) fn edit_header(
    command: &ast::Command,
    context: &Context,
) -> Result<Command, CompileError> {
    context.need("editheader", command.pos)?;
    let name = command.name.as_str();
    if name == "addheader" {
        let arguments = Arguments::split(
            name,
            command.pos,
            &command.arguments,
            &[&[("last", Follows::Nothing)]],
        )?;
        arguments.expect_positional(2, 2)?;
        let field = field_name(&arguments.positional[0], context)?;
        let value = string(&arguments.positional[1], context, "the value")?;
        if value.contains(['\r', '\n']) && !value.contains("\r\n ") && !value.contains("\r\n\t") {
            return Err(CompileError::at(
                arguments.positional[1].pos,
                "the value must not end the field",
            ));
        }
        return Ok(Command::AddHeader {
            last: arguments.flag("last").is_some(),
            name: field,
            value,
        });
    }
    let arguments = Arguments::split(
        name,
        command.pos,
        &command.arguments,
        &[
            MATCH_TAGS,
            &[("index", Follows::Number), ("last", Follows::Nothing)],
        ],
    )?;
    arguments.expect_positional(1, 2)?;
    let index = match (arguments.tag("index"), arguments.flag("last")) {
        (Some(tag), last) => {
            let n = tag.value.as_ref().map_or(Ok(0), |v| number(v, ":index"))?;
            if n == 0 {
                return Err(CompileError::at(tag.pos, ":index starts at 1"));
            }
            Some((usize::try_from(n).unwrap_or(usize::MAX), last.is_some()))
        }
        (None, Some(pos)) => return Err(CompileError::at(pos, ":last needs :index")),
        (None, None) => None,
    };
    let patterns = match arguments.positional.get(1) {
        Some(_) => Some(arguments.keys(1, context)?),
        None => None,
    };
    Ok(Command::DeleteHeader {
        index,
        matcher: arguments.matcher(context)?,
        name: field_name(&arguments.positional[0], context)?,
        patterns,
    })
}

/// RFC 5322 §3.6.8 field-name: printable ASCII without a colon.
fn field_name(argument: &Argument, context: &Context) -> Result<String, CompileError> {
    let name = string(argument, context, "the field name")?;
    if name.is_empty() || !name.bytes().all(|b| (33..=126).contains(&b) && b != b':') {
        return Err(CompileError::at(
            argument.pos,
            format!("invalid header field name \"{name}\""),
        ));
    }
    Ok(name)
}
