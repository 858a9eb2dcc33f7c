require ["date", "fileinto"];
if date :zone "+1000" "date" "std11" "Wed, 06 Apr 2005 01:32:57 +1000" { fileinto "Archive"; }
