//! The validator's checks: require, unknown names, argument shapes.

use super::compile;

fn error(source: &str) -> String {
    compile(source).unwrap_err().to_string()
}

#[test]
fn a_valid_script_compiles() {
    let script = compile(
        "require [\"fileinto\", \"imap4flags\", \"relational\", \"comparator-i;ascii-numeric\"];\n\
         if header :value \"ge\" :comparator \"i;ascii-numeric\" \"X-Score\" \"5\" { fileinto :flags \"\\\\Seen\" \"Junk\"; }\n\
         elsif address :domain :is \"from\" \"example.org\" { keep; } else { stop; }",
    );
    assert!(script.is_ok(), "{script:?}");
}

#[test]
fn extension_used_without_require() {
    assert_eq!(
        error("fileinto \"x\";"),
        "line 1, column 1: missing require for extension \"fileinto\""
    );
    assert_eq!(
        error("require \"fileinto\";\nfileinto :copy \"x\";"),
        "line 2, column 10: missing require for extension \"copy\""
    );
}

#[test]
fn unknown_extension() {
    assert_eq!(
        error("require \"frobnicate\";"),
        "line 1, column 1: unknown extension \"frobnicate\""
    );
}

#[test]
fn require_after_another_command() {
    assert_eq!(
        error("keep;\nrequire \"fileinto\";"),
        "line 2, column 1: require must come before any other command"
    );
}

#[test]
fn wrong_argument_types() {
    assert_eq!(
        error("if size :over \"big\" { keep; }"),
        "line 1, column 15: the size must be a number"
    );
    assert_eq!(
        error("redirect 5;"),
        "line 1, column 10: the address must be a string"
    );
    assert_eq!(
        error("if header :is \"a\" { keep; }"),
        "line 1, column 15: header needs 2 positional argument(s), found 1"
    );
    assert_eq!(
        error("if header :frob \"a\" \"b\" { keep; }"),
        "line 1, column 11: unknown tag :frob for header"
    );
    assert_eq!(
        error("if header :is :contains \"a\" \"b\" { keep; }"),
        "line 1, column 15: only one match type may be given"
    );
    assert_eq!(
        error("if header :comparator \"i;nope\" \"a\" \"b\" { keep; }"),
        "line 1, column 11: unknown comparator \"i;nope\""
    );
}

#[test]
fn structure_errors() {
    assert_eq!(
        error("else { keep; }"),
        "line 1, column 1: else without a preceding if"
    );
    assert_eq!(
        error("if anyof (true false) { keep; }"),
        "line 1, column 16: true takes no nested test"
    );
    assert_eq!(error("if true;"), "line 1, column 1: if needs a block");
    assert_eq!(error("frob;"), "line 1, column 1: unknown command \"frob\"");
    assert_eq!(
        error("if frob { keep; }"),
        "line 1, column 4: unknown test \"frob\""
    );
}
