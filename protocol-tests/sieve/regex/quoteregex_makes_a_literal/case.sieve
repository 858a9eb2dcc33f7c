require ["regex", "variables"];
set :quoteregex "q" "a.b*(c)";
if string :regex "xa.b*(c)y" "${q}" { if not string :regex "xaXbbbcy" "${q}" { discard; } }
