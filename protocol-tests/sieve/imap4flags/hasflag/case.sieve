require "imap4flags";
addflag "urgent";
if hasflag :is "URGENT" { discard; }
