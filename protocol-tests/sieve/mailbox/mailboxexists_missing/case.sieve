require ["mailbox", "fileinto"];
if mailboxexists ["Lists", "Nope"] { fileinto "Lists"; }
