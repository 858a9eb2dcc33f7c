require ["mailbox", "fileinto"];
if mailboxexists "Lists" { fileinto "Lists"; }
