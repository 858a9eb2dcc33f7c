require ["imap4flags", "variables", "relational", "comparator-i;ascii-numeric"];
addflag "f" "one";
addflag "f" "two";
if hasflag :count "eq" :comparator "i;ascii-numeric" "f" "2" { discard; }
