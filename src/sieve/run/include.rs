//! Running `include` (RFC 6609 §3.2): the named script runs in place with
//! its own variables (sharing the globals, §3.3) and the same outcome;
//! `return` ends it (§3.4) and `stop` ends everything. A loop, a missing
//! script without `:optional`, or going past the depth or count bound is a
//! runtime error, so the caller keeps the message.

use super::super::variables::Variables;
use super::{Flow, Run, RunError};
use crate::delivery::IncludeLocation;

impl Run<'_, '_> {
    pub(super) fn include(
        &mut self,
        location: IncludeLocation,
        once: bool,
        optional: bool,
        name: &str,
    ) -> Result<Flow, RunError> {
        let key = (location, name.to_owned());
        if once && self.included.contains(&key) {
            return Ok(Flow::Next);
        }
        if self.including.contains(&key) || self.origin.as_ref() == Some(&key) {
            return Err(RunError::IncludeLoop(name.to_owned()));
        }
        let limits = self.input.limits;
        if self.including.len() >= limits.max_include_depth {
            return Err(RunError::IncludeTooDeep(limits.max_include_depth));
        }
        if self.included.len() >= limits.max_includes {
            return Err(RunError::TooManyIncludes(limits.max_includes));
        }
        let script = match self.input.environment.include(location, name) {
            Ok(Some(script)) => script,
            Ok(None) if optional => return Ok(Flow::Next),
            Ok(None) => return Err(RunError::IncludeMissing(name.to_owned())),
            Err(reason) => {
                return Err(RunError::IncludeFailed {
                    name: name.to_owned(),
                    reason,
                });
            }
        };
        // Every include counts toward the bound, repeated ones too: a
        // script has no loops, but includes multiply with depth.
        self.included.push(key.clone());
        self.including.push(key);
        let mut outer = std::mem::take(&mut self.variables);
        self.variables = Variables::enter(&mut outer);
        let outer_expand = std::mem::replace(&mut self.expand, script.variables);
        let flow = self.block(&script.commands);
        std::mem::replace(&mut self.variables, outer).leave(&mut self.variables);
        self.expand = outer_expand;
        self.including.pop();
        match flow? {
            Flow::Stop => Ok(Flow::Stop),
            Flow::Next | Flow::Return => Ok(Flow::Next),
        }
    }
}
