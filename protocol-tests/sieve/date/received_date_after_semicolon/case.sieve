require ["date", "fileinto"];
if date "received" "date" "2026-11-24" { fileinto "Archive"; }
