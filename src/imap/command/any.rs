//! Commands of any state and the small authenticated-state ones that only
//! describe the session: CAPABILITY (RFC 9051 §6.1.1), LOGOUT (§6.1.3),
//! ID (RFC 2971), ENABLE (RFC 5161, RFC 9051 §6.3.1), NAMESPACE (RFC 2342,
//! RFC 9051 §6.3.10). NOOP and CHECK need no handler: the dispatch reports
//! pending updates after every command.

use std::io;

use tokio::io::{AsyncRead, AsyncWrite};

use crate::imap::parser::Tag;
use crate::imap::response::{Condition, Data, Namespace, Response, Status};
use crate::imap::session::Session;
use crate::store::DELIMITER;

use super::Reply;

impl<S> Session<S>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    // RFC 9051 §6.1.1
    pub(crate) fn capability(&mut self) -> Reply {
        let caps = self.capabilities();
        self.queue_data(Data::Capability(caps));
        Reply::ok()
    }

    // RFC 9051 §6.1.3: BYE first, then the tagged OK, then close.
    pub(crate) async fn logout_command(&mut self, tag: &Tag) -> io::Result<Reply> {
        self.queue(Response::Status(Status::untagged(
            Condition::Bye,
            None,
            "postamt logging out",
        )));
        self.queue(Response::Status(Status::tagged(
            tag.as_str(),
            Condition::Ok,
            None,
            "LOGOUT completed",
        )));
        self.flush().await?;
        self.close().await;
        Ok(Reply::sent())
    }

    // RFC 2971 §3.1: the server answers with its own identification.
    pub(crate) fn id(&mut self) -> Reply {
        self.queue_data(Data::Id(Some(vec![
            ("name".to_owned(), Some("postamt".to_owned())),
            (
                "version".to_owned(),
                Some(env!("CARGO_PKG_VERSION").to_owned()),
            ),
        ])));
        Reply::ok()
    }

    // RFC 5161 §3.1, RFC 9051 §6.3.1: `* ENABLED` lists only what this
    // command newly enabled; unknown names are ignored.
    pub(crate) fn enable(&mut self, requested: &[String]) -> Reply {
        if self.selected.is_some() {
            return Reply::bad("ENABLE is only valid in the authenticated state");
        }
        let mut enabled = Vec::new();
        for name in requested {
            let flag = match name.to_ascii_uppercase().as_str() {
                "IMAP4REV2" => &mut self.enabled.rev2,
                "UTF8=ACCEPT" => &mut self.enabled.utf8,
                "CONDSTORE" => &mut self.enabled.condstore,
                "QRESYNC" => {
                    // RFC 7162 §3.2.3: QRESYNC implies CONDSTORE.
                    self.enabled.condstore = true;
                    &mut self.enabled.qresync
                }
                _ => continue,
            };
            if !*flag {
                *flag = true;
                enabled.push(name.clone());
            }
        }
        self.queue_data(Data::Enabled(enabled));
        Reply::ok()
    }

    // RFC 2342 §5: one personal namespace, no prefix.
    pub(crate) fn namespace(&mut self) -> Reply {
        self.queue_data(Data::Namespace {
            personal: vec![Namespace {
                prefix: String::new(),
                delimiter: Some(DELIMITER),
            }],
            other: Vec::new(),
            shared: Vec::new(),
        });
        Reply::ok()
    }
}
