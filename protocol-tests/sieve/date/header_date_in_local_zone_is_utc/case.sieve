require ["date", "fileinto"];
if date "date" "iso8601" "2005-04-05T15:32:57Z" { fileinto "Archive"; }
