require "editheader";
deleteheader "subject";
if not exists "subject" { discard; }
