//! The interpreter's limits, vacation handles and match variables.

use super::*;
use crate::delivery::IncludeLocation;
use crate::sieve::compile;

struct NoMailboxes;

impl Environment for NoMailboxes {
    fn mailbox_exists(&self, _: &str) -> bool {
        false
    }
}

fn run_with(source: &str, limits: Limits) -> Result<Outcome, RunError> {
    let script = compile(source).unwrap();
    let envelope = Envelope::default();
    let input = Input {
        envelope: &envelope,
        spam: None,
        environment: &NoMailboxes,
        limits: &limits,
        now: std::time::UNIX_EPOCH,
    };
    let raw = b"Subject: hi\r\n\r\nbody\r\n";
    let mut message = Message::parse(raw, raw.len() as u64);
    let mut outcome = Outcome::default();
    run(&script, &mut message, &input, &mut outcome).map(|()| outcome)
}

#[test]
fn too_many_actions_is_an_error() {
    let limits = Limits {
        max_actions: 2,
        ..Limits::default()
    };
    let source = "require \"fileinto\";\nfileinto \"a\";\nfileinto \"b\";\nfileinto \"c\";";
    assert_eq!(run_with(source, limits), Err(RunError::TooManyActions(2)));
}

#[test]
fn too_many_redirects_is_an_error() {
    let limits = Limits {
        max_redirects: 1,
        ..Limits::default()
    };
    let source = "redirect \"a@example.org\";\nredirect \"b@example.org\";";
    assert_eq!(run_with(source, limits), Err(RunError::TooManyRedirects(1)));
}

#[test]
fn derived_vacation_handle_is_stable_and_depends_on_the_reason() {
    let handle = |reason: &str| {
        let source = format!("require \"vacation\";\nvacation \"{reason}\";");
        match &run_with(&source, Limits::default()).unwrap().actions[0] {
            Action::Vacation(v) => v.handle.clone(),
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(handle("away"), handle("away"));
    assert_ne!(handle("away"), handle("back"));
}

#[test]
fn match_variables_only_change_on_a_match() {
    let source = "require [\"variables\", \"fileinto\"];\n\
                  if header :matches \"subject\" \"*i\" {}\n\
                  if header :matches \"subject\" \"x*\" {}\n\
                  fileinto \"${1}\";";
    let outcome = run_with(source, Limits::default()).unwrap();
    assert_eq!(outcome.lines(), vec!["fileinto \"h\""]);
}

/// Every include finds a script that files into its own name.
struct Library;

impl Environment for Library {
    fn mailbox_exists(&self, _: &str) -> bool {
        false
    }

    fn include(&self, _: IncludeLocation, name: &str) -> Result<Option<Arc<Script>>, String> {
        let source = format!("require \"fileinto\";\nfileinto \"{name}\";");
        Ok(Some(Arc::new(compile(&source).unwrap())))
    }
}

fn run_included(source: &str, limits: Limits) -> Result<Outcome, RunError> {
    let script = compile(source).unwrap();
    let envelope = Envelope::default();
    let input = Input {
        envelope: &envelope,
        spam: None,
        environment: &Library,
        limits: &limits,
        now: std::time::UNIX_EPOCH,
    };
    let mut message = Message::parse(b"Subject: hi\r\n\r\n", 15);
    let mut outcome = Outcome::default();
    run(&script, &mut message, &input, &mut outcome).map(|()| outcome)
}

#[test]
fn includes_past_the_count_bound_are_an_error() {
    let limits = Limits {
        max_includes: 2,
        ..Limits::default()
    };
    let source = "require \"include\";\ninclude \"a\";\ninclude \"b\";\ninclude \"c\";";
    assert_eq!(
        run_included(source, limits),
        Err(RunError::TooManyIncludes(2))
    );
}

#[test]
fn repeated_includes_count_toward_the_bound() {
    let limits = Limits {
        max_includes: 2,
        ..Limits::default()
    };
    let source = "require \"include\";\ninclude \"a\";\ninclude \"a\";\ninclude \"a\";";
    assert_eq!(
        run_included(source, limits),
        Err(RunError::TooManyIncludes(2))
    );
}

#[test]
fn no_include_depth_allows_no_include() {
    let limits = Limits {
        max_include_depth: 0,
        ..Limits::default()
    };
    let source = "require \"include\";\ninclude \"a\";";
    assert_eq!(
        run_included(source, limits),
        Err(RunError::IncludeTooDeep(0))
    );
}

#[test]
fn an_included_script_acts_on_the_same_outcome() {
    let source = "require [\"include\", \"fileinto\"];\nfileinto \"first\";\ninclude \"second\";";
    let outcome = run_included(source, Limits::default()).unwrap();
    assert_eq!(
        outcome.lines(),
        vec!["fileinto \"first\"", "fileinto \"second\""]
    );
}

#[test]
fn a_script_including_itself_by_its_stored_name_is_a_loop() {
    let script = compile("require \"include\";\ninclude \"mine\";").unwrap();
    let envelope = Envelope::default();
    let limits = Limits::default();
    let input = Input {
        envelope: &envelope,
        spam: None,
        environment: &Library,
        limits: &limits,
        now: std::time::UNIX_EPOCH,
    };
    let mut message = Message::parse(b"Subject: hi\r\n\r\n", 15);
    let origin = Some((IncludeLocation::Personal, "mine"));
    assert_eq!(
        run_as(
            &script,
            origin,
            &mut message,
            &input,
            &mut Outcome::default()
        ),
        Err(RunError::IncludeLoop("mine".to_owned()))
    );
    // The same name in the other location is another script.
    let origin = Some((IncludeLocation::Global, "mine"));
    assert_eq!(
        run_as(
            &script,
            origin,
            &mut message,
            &input,
            &mut Outcome::default()
        ),
        Ok(())
    );
}
