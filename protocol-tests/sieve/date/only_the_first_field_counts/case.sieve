require ["date", "fileinto"];
if date :originalzone "received" "date" "2026-11-22" { fileinto "Archive"; }
