require ["regex", "variables"];
set "p" "(unclosed";
if header :regex "subject" "${p}" { discard; }
