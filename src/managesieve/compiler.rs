//! The server's Sieve compiler as ManageSieve's and the CLI's [`ScriptChecker`]: a script is
//! stored only if the interpreter that runs it at delivery accepts it.

use super::{ScriptChecker, ScriptProblem};

/// Checks scripts with [`crate::sieve::compile`].
#[derive(Debug, Clone, Copy, Default)]
pub struct SieveCompiler;

impl ScriptChecker for SieveCompiler {
    fn check(&self, source: &str) -> Result<(), ScriptProblem> {
        crate::sieve::compile(source)
            .map(drop)
            .map_err(|error| ScriptProblem {
                line: error.line,
                column: error.column,
                message: error.message,
            })
    }

    fn extensions(&self) -> Vec<String> {
        crate::sieve::extensions()
            .iter()
            .map(|name| (*name).to_owned())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_script_the_interpreter_refuses_is_a_problem_with_its_position() {
        let checker = SieveCompiler;
        assert!(
            checker
                .check("require \"fileinto\";\r\nfileinto \"Lists\";\r\n")
                .is_ok()
        );
        let problem = checker
            .check("require \"fileinto\";\r\nfileinto 42;\r\n")
            .unwrap_err();
        assert_eq!(problem.line, 2);
        assert!(checker.extensions().iter().any(|e| e == "vacation"));
    }
}
